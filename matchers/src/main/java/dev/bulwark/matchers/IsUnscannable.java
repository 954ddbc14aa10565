package dev.bulwark.matchers;

/** Matches mail clamd could not scan because of its size ({@code bulwark.virus.status} is UNSCANNABLE). */
public class IsUnscannable extends VirusStatusMatcher {
    public IsUnscannable() {
        super("UNSCANNABLE");
    }
}
