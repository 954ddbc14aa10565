package dev.bulwark.scanner.integrity;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;

/**
 * How an engine proves that it detects, beyond answering PING: one self-test per kind of verdict, so that
 * every virus engine is held to EICAR and every spam engine to GTUBE, with the same findings and words.
 */
public sealed interface SelfTest permits SelfTest.Eicar, SelfTest.Gtube {
    /** The test sample's name, as messages say it. */
    String sample();

    /** Sends the sample; empty when the engine detected it, otherwise the condition it leaves the endpoint in and why. */
    Optional<Failure> run();

    record Failure(ScannerState.Condition condition, String reason) {
    }

    /** A virus engine must find the EICAR test file INFECTED; any other verdict is BROKEN (mail would pass as clean). */
    record Eicar(VirusScanner scanner) implements SelfTest {
        // Kept encoded so that Bulwark's own jar is not flagged by the scanners it ships beside.
        private static final byte[] EICAR = Base64.getDecoder().decode(
            "WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=");

        @Override
        public String sample() {
            return "EICAR";
        }

        @Override
        public Optional<Failure> run() {
            ScanVerdict verdict = scanner.scan(MessageContent.of(EICAR));
            if (verdict.status() == ScanVerdict.Status.INFECTED) {
                return Optional.empty();
            }
            return Optional.of(new Failure(ScannerState.Condition.BROKEN, verdict.status() == ScanVerdict.Status.CLEAN
                ? "self-test failed: the EICAR test file scanned CLEAN (signatures missing or not loaded)"
                : "self-test failed: the EICAR test file gave " + verdict.status() + verdict.reason().map(r -> " (" + r + ")").orElse("")));
        }
    }

    /**
     * A spam engine must score the GTUBE test mail as spam. An ERROR is DOWN (the engine did not answer the
     * check), another verdict BROKEN. The mail is short on purpose: rspamd matches GTUBE only in short text parts.
     */
    record Gtube(SpamChecker checker) implements SelfTest {
        private static final String GTUBE = new String(Base64.getDecoder().decode(
            "WEpTKkM0SkRCUUFETjEuTlNCTjMqMklETkVOKkdUVUJFLVNUQU5EQVJELUFOVEktVUJFLVRFU1QtRU1BSUwqQy4zNFg="), StandardCharsets.US_ASCII);
        private static final byte[] MAIL = ("From: bulwark-self-test@localhost\r\nTo: bulwark-self-test@localhost\r\n"
            + "Subject: Bulwark self-test\r\nMessage-ID: <self-test@bulwark>\r\n\r\n" + GTUBE + "\r\n").getBytes(StandardCharsets.US_ASCII);

        @Override
        public String sample() {
            return "GTUBE";
        }

        @Override
        public Optional<Failure> run() {
            SpamVerdict verdict = checker.check(MessageContent.of(MAIL), Optional.empty());
            if (verdict.status() == SpamVerdict.Status.ERROR) {
                return Optional.of(new Failure(ScannerState.Condition.DOWN, "self-test: " + verdict.reason().orElse("error")));
            }
            if (!verdict.isSpam()) {
                return Optional.of(new Failure(ScannerState.Condition.BROKEN, "self-test failed: the GTUBE test mail was not spam ("
                    + verdict.status() + ", score " + verdict.score() + ")"));
            }
            return Optional.empty();
        }
    }
}
