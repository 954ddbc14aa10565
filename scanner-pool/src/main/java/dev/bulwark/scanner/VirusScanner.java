package dev.bulwark.scanner;

/** Scans a message for viruses. Never throws for a scanner problem: that is an ERROR verdict. */
public interface VirusScanner {
    ScanVerdict scan(MessageContent content);
}
