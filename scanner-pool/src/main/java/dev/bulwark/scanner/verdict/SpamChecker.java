package dev.bulwark.scanner.verdict;

import java.util.Optional;

/** Checks a message for spam. Never throws for a scanner problem: that is an ERROR verdict. */
public interface SpamChecker {
    /**
     * @param user the spamd {@code User:} whose preferences apply, or empty for spamd's defaults
     */
    SpamVerdict check(MessageContent content, Optional<String> user);
}
