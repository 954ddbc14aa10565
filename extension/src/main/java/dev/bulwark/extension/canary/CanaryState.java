package dev.bulwark.extension.canary;

import java.util.Optional;

/**
 * The canary's standing: the last finished round, and what a new one changes. A miss after passing (or as
 * the first round) is news worth an alert; further misses are only recorded; the first pass after a miss
 * clears it.
 */
final class CanaryState {
    enum Change { NONE, MISSED, STILL_MISSED, RECOVERED }

    private Optional<CanaryRound.Outcome> latest = Optional.empty();

    synchronized Optional<CanaryRound.Outcome> latest() {
        return latest;
    }

    synchronized Change conclude(CanaryRound.Outcome outcome) {
        boolean wasMissed = latest.map(CanaryState::missed).orElse(false);
        latest = Optional.of(outcome);
        if (missed(outcome)) {
            return wasMissed ? Change.STILL_MISSED : Change.MISSED;
        }
        return wasMissed ? Change.RECOVERED : Change.NONE;
    }

    private static boolean missed(CanaryRound.Outcome outcome) {
        return outcome.fate() == CanaryRound.Fate.MISSED;
    }
}
