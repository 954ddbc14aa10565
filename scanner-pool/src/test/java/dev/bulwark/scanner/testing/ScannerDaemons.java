package dev.bulwark.scanner.testing;

/**
 * Where the test run's real clamd and spamd listen. Plain strings and ints only: tests that load Bulwark
 * from its distribution jar must not have Bulwark's classes on their own classpath.
 */
public record ScannerDaemons(String clamdHost, int clamdPort, String spamdHost, int spamdPort) {

    public String clamdAddress() {
        return clamdHost + ":" + clamdPort;
    }

    public String spamdAddress() {
        return spamdHost + ":" + spamdPort;
    }
}
