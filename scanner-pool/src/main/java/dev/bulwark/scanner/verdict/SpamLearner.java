package dev.bulwark.scanner.verdict;

import java.io.IOException;

/**
 * Teaches a spam engine what a user says a message is: spam when moved into the junk mailbox, ham when
 * moved out of it (or released from quarantine as a false positive). One per configured engine.
 */
public interface SpamLearner {
    /** What the message is to be learned as. */
    enum LearnAs { SPAM, HAM }

    /** What the engine answered; a refusal or an unreachable engine is an {@link IOException}. */
    enum LearnOutcome { LEARNED, ALREADY_LEARNED }

    /** The engine's name as it appears in events and metrics: {@code spamd} or {@code rspamd}. */
    String engine();

    /**
     * @param user the mailbox owner the lesson is for (spamd {@code User:}, rspamd {@code Deliver-To})
     * @throws IOException when no endpoint of the engine could be told
     */
    LearnOutcome learn(MessageContent content, String user, LearnAs as) throws IOException;
}
