package dev.bulwark.matchers;

/**
 * Matches mail whose virus scan found a named virus ({@code bulwark.virus.status} is INFECTED).
 * <pre>{@code <mailet match="dev.bulwark.matchers.IsInfected" class="ToProcessor">...}</pre>
 */
public class IsInfected extends VirusStatusMatcher {
    public IsInfected() {
        super("INFECTED");
    }
}
