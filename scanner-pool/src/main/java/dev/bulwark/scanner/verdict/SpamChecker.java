package dev.bulwark.scanner.verdict;

import java.util.Optional;

/** Checks a message for spam. Never throws for a scanner problem: that is an ERROR verdict. */
public interface SpamChecker {
    /**
     * @param user    the recipient whose preferences apply (spamd {@code User:}, rspamd {@code Deliver-To}), or empty
     *                for the engine's defaults
     * @param context how the message arrived (client, HELO, envelope sender); an engine whose protocol has no place
     *                for it (spamd) leaves it out
     */
    SpamVerdict check(MessageContent content, Optional<String> user, MessageContext context);

    /** A check of the message's bytes alone, with nothing known of how it arrived: self-tests, rescans. */
    default SpamVerdict check(MessageContent content, Optional<String> user) {
        return check(content, user, MessageContext.NONE);
    }
}
