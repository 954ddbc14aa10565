package dev.bulwark.scanner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Proves that a scanner really detects, beyond answering PING: clamd must find the EICAR test file
 * INFECTED, spamd must score the GTUBE test mail as spam. A daemon that answers but fails its
 * self-test is BROKEN (the classic failure: signatures missing, mail flows "scanned" and nothing is
 * ever found). clamd's signature age comes from VERSION when the database reports a date.
 */
public final class IntegrityProbe {
    // Kept encoded so that Bulwark's own jar is not flagged by the scanners it ships beside.
    private static final byte[] EICAR = Base64.getDecoder().decode(
        "WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=");
    private static final String GTUBE = new String(Base64.getDecoder().decode(
        "WEpTKkM0SkRCUUFETjEuTlNCTjMqMklETkVOKkdUVUJFLVNUQU5EQVJELUFOVEktVUJFLVRFU1QtRU1BSUwqQy4zNFg="), StandardCharsets.US_ASCII);

    private final Duration maxSignatureAge;
    private final Clock clock;

    /** @param maxSignatureAge older signature databases make clamd DEGRADED */
    public IntegrityProbe(Duration maxSignatureAge, Clock clock) {
        this.maxSignatureAge = maxSignatureAge;
        this.clock = clock;
    }

    public ScannerState check(ClamdClient clamd) {
        Instant now = clock.instant();
        try {
            clamd.ping();
        } catch (IOException e) {
            return state("clamd", clamd.endpoint(), ScannerState.Condition.DOWN, "no answer to PING: " + e.getMessage(),
                Optional.empty(), Optional.empty(), now);
        }
        Optional<ClamdVersion> version;
        try {
            version = Optional.of(clamd.version());
        } catch (IOException e) {
            version = Optional.empty();
        }
        Optional<String> engine = version.map(ClamdVersion::toString);
        Optional<Instant> signatureDate = version.flatMap(ClamdVersion::databaseDate);
        ScanVerdict selfTest = clamd.scan(MessageContent.of(EICAR));
        if (selfTest.status() != ScanVerdict.Status.INFECTED) {
            String why = selfTest.status() == ScanVerdict.Status.CLEAN
                ? "self-test failed: the EICAR test file scanned CLEAN (signatures missing or not loaded)"
                : "self-test failed: the EICAR test file gave " + selfTest.status() + selfTest.reason().map(r -> " (" + r + ")").orElse("");
            return state("clamd", clamd.endpoint(), ScannerState.Condition.BROKEN, why, engine, signatureDate, now);
        }
        if (signatureDate.isPresent() && signatureDate.get().plus(maxSignatureAge).isBefore(now)) {
            return state("clamd", clamd.endpoint(), ScannerState.Condition.DEGRADED, "signatures from " + signatureDate.get()
                + " are older than " + maxSignatureAge.toDays() + " days (is freshclam running?)", engine, signatureDate, now);
        }
        return state("clamd", clamd.endpoint(), ScannerState.Condition.HEALTHY, "PING, VERSION and EICAR self-test passed"
            + (signatureDate.isEmpty() ? "; the signature database reports no date" : ""), engine, signatureDate, now);
    }

    public ScannerState check(SpamdClient spamd) {
        Instant now = clock.instant();
        try {
            spamd.ping();
        } catch (IOException e) {
            return state("spamd", spamd.endpoint(), ScannerState.Condition.DOWN, "no answer to PING: " + e.getMessage(),
                Optional.empty(), Optional.empty(), now);
        }
        String message = "From: bulwark-self-test@localhost\r\nTo: bulwark-self-test@localhost\r\nSubject: Bulwark self-test\r\n"
            + "Message-ID: <self-test@bulwark>\r\n\r\n" + GTUBE + "\r\n";
        SpamVerdict verdict = spamd.check(MessageContent.of(message.getBytes(StandardCharsets.US_ASCII)), Optional.empty());
        if (verdict.status() == SpamVerdict.Status.ERROR) {
            return state("spamd", spamd.endpoint(), ScannerState.Condition.DOWN, "self-test: " + verdict.reason().orElse("error"),
                Optional.empty(), Optional.empty(), now);
        }
        if (!verdict.isSpam()) {
            return state("spamd", spamd.endpoint(), ScannerState.Condition.BROKEN, "self-test failed: the GTUBE test mail was not spam ("
                + verdict.status() + ", score " + verdict.score() + ")", Optional.empty(), Optional.empty(), now);
        }
        return state("spamd", spamd.endpoint(), ScannerState.Condition.HEALTHY, "PING and GTUBE self-test passed",
            Optional.empty(), Optional.empty(), now);
    }

    private static ScannerState state(String daemon, Endpoint endpoint, ScannerState.Condition condition, String reason,
                                      Optional<String> engine, Optional<Instant> signatureDate, Instant now) {
        return new ScannerState(daemon, endpoint, condition, reason, engine, signatureDate, now);
    }
}
