package dev.bulwark.bench.pipeline;

/** What a corpus message is, and what a working pipeline must do with it. */
enum MessageKind {
    /** 5-100 KB of text: delivered, not flagged. */
    CLEAN(Outcome.State.DELIVERED, false),
    /** 2-20 KB of text and a 20-300 KB binary attachment: delivered, not flagged. */
    ATTACHMENT(Outcome.State.DELIVERED, false),
    /** A 1-5 MB message (base64 attachment of text): delivered, not spam-checked (over 500 KB), not flagged. */
    LARGE(Outcome.State.DELIVERED, false),
    /** An EICAR attachment: quarantined, never delivered. */
    EICAR(Outcome.State.QUARANTINED, false),
    /** GTUBE in the body: delivered flagged as spam. */
    GTUBE(Outcome.State.DELIVERED, true);

    final Outcome.State expectedState;
    final boolean expectedSpamFlag;

    MessageKind(Outcome.State expectedState, boolean expectedSpamFlag) {
        this.expectedState = expectedState;
        this.expectedSpamFlag = expectedSpamFlag;
    }

    /** Without scanning, every message is delivered unflagged. */
    boolean isExpected(Outcome outcome, boolean scanning) {
        if (!scanning) {
            return outcome.state() == Outcome.State.DELIVERED && !outcome.spamFlagged();
        }
        return outcome.state() == expectedState && (expectedState != Outcome.State.DELIVERED || outcome.spamFlagged() == expectedSpamFlag);
    }
}
