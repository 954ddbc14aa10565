package dev.bulwark.matchers;

/** Matches mail no clamd could give a verdict on ({@code bulwark.virus.status} is ERROR). */
public class ScanFailed extends VirusStatusMatcher {
    public ScanFailed() {
        super("ERROR");
    }
}
