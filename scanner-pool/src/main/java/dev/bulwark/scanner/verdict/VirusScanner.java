package dev.bulwark.scanner.verdict;

/** Scans a message for viruses. Never throws for a scanner problem: that is an ERROR verdict. */
public interface VirusScanner {
    ScanVerdict scan(MessageContent content);

    /** Scans a message whose size is known; a scanner may refuse one too large without sending it. */
    default ScanVerdict scan(MessageContent content, long size) {
        return scan(content);
    }

    /**
     * The largest message this scanner takes as one stream (clamd's StreamMaxLength); a caller may scan
     * larger mail part by part. Unlimited unless the scanner says otherwise.
     */
    default long maxStreamSize() {
        return Long.MAX_VALUE;
    }
}
