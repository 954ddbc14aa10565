package dev.bulwark.bench.pipeline;

/** The final state a message was seen in, and when ({@link System#nanoTime()}). */
record Outcome(State state, boolean spamFlagged, long seenNanos) {
    enum State {
        /** In the recipient's INBOX, read over IMAP. */
        DELIVERED,
        /** In the quarantine mail repository. */
        QUARANTINED,
        /** Not seen in a final state before the deadline. */
        LOST
    }
}
