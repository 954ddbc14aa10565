package dev.bulwark.scanner;

import java.util.List;

/**
 * Asks each clamd in order until one gives a verdict; ERROR only when none could. A stop-gap in front
 * of several daemons until the pooled scanner replaces it: no weights, no health memory.
 */
public final class FailoverVirusScanner implements VirusScanner {
    private final List<? extends VirusScanner> scanners;

    public FailoverVirusScanner(List<? extends VirusScanner> scanners) {
        if (scanners.isEmpty()) {
            throw new IllegalArgumentException("at least one scanner is needed");
        }
        this.scanners = List.copyOf(scanners);
    }

    @Override
    public ScanVerdict scan(MessageContent content) {
        ScanVerdict verdict = null;
        for (VirusScanner scanner : scanners) {
            verdict = scanner.scan(content);
            if (verdict.status() != ScanVerdict.Status.ERROR) {
                return verdict;
            }
        }
        return verdict;
    }
}
