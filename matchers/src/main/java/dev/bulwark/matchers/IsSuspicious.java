package dev.bulwark.matchers;

/**
 * Matches mail whose virus scan hit a heuristic or a limit rather than a named virus
 * ({@code bulwark.virus.status} is SUSPICIOUS, e.g. {@code Heuristics.Limits.Exceeded}).
 */
public class IsSuspicious extends VirusStatusMatcher {
    public IsSuspicious() {
        super("SUSPICIOUS");
    }
}
