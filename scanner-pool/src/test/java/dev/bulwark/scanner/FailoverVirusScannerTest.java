package dev.bulwark.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class FailoverVirusScannerTest {
    private static final Endpoint A = new Endpoint("a", 1);
    private static final Endpoint B = new Endpoint("b", 2);
    private static final MessageContent CONTENT = MessageContent.of(new byte[] {1});

    @Test
    void usesTheFirstScannerThatGivesAVerdict() {
        FailoverVirusScanner scanner = new FailoverVirusScanner(List.of(
            content -> ScanVerdict.error("down", A),
            content -> ScanVerdict.infected(List.of("X"), B)));
        assertThat(scanner.scan(CONTENT)).isEqualTo(ScanVerdict.infected(List.of("X"), B));
    }

    @Test
    void errorOnlyWhenEveryScannerFailed() {
        FailoverVirusScanner scanner = new FailoverVirusScanner(List.of(
            content -> ScanVerdict.error("down", A),
            content -> ScanVerdict.error("down too", B)));
        assertThat(scanner.scan(CONTENT).status()).isEqualTo(ScanVerdict.Status.ERROR);
    }
}
