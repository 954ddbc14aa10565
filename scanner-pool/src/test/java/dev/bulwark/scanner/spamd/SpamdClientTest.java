package dev.bulwark.scanner.spamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamVerdict;

/** The spamd client against the run's real spamd. */
@ExtendWith(ScannerDaemonsExtension.class)
class SpamdClientTest {
    private static final MessageContent GTUBE = content(TestSamples.plainMessage("a@example.com", "b@example.com", "offer", TestSamples.GTUBE));
    private static final MessageContent PLAIN = content(TestSamples.plainMessage("a@example.com", "b@example.com", "lunch", "Shall we meet at noon?"));
    private static SpamdClient spamd;
    private static Endpoint endpoint;

    @BeforeAll
    static void connect(ScannerDaemons daemons) {
        endpoint = new Endpoint(daemons.spamdHost(), daemons.spamdPort());
        spamd = new SpamdClient(endpoint, SpamdClientConfig.DEFAULT);
    }

    private static MessageContent content(String message) {
        return MessageContent.of(message.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void answersPing() throws IOException {
        spamd.ping();
    }

    @Test
    void gtubeIsSpamWithItsSymbol() {
        SpamVerdict verdict = spamd.check(GTUBE, Optional.of("bob"));
        assertThat(verdict.isSpam()).isTrue();
        assertThat(verdict.score()).isGreaterThanOrEqualTo(1000.0);
        assertThat(verdict.symbols()).contains("GTUBE");
        assertThat(verdict.endpoint()).contains(endpoint);
    }

    @Test
    void plainMessageIsHam() {
        SpamVerdict verdict = spamd.check(PLAIN, Optional.empty());
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.HAM);
        assertThat(verdict.threshold()).isEqualTo(5.0);
    }

    @Test
    void checkGivesTheVerdictAloneAndReportTheExplanation() {
        SpamVerdict check = spamd.check(SpamdCommand.CHECK, GTUBE, Optional.empty());
        assertThat(check.isSpam()).isTrue();
        assertThat(check.symbols()).isEmpty();
        assertThat(check.report()).isEmpty();

        SpamVerdict report = spamd.check(SpamdCommand.REPORT, GTUBE, Optional.empty());
        assertThat(report.isSpam()).isTrue();
        assertThat(report.report()).get().asString().contains("GTUBE");
    }

    @Test
    void messageOverTheSizeLimitIsSkippedWithoutBeingSent() {
        SpamdClient small = new SpamdClient(endpoint, new SpamdClientConfig(Duration.ofSeconds(2), Duration.ofSeconds(30), 100));
        SpamVerdict verdict = small.check(GTUBE, Optional.empty());
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.SKIPPED);
        assertThat(verdict.reason()).get().asString().contains("over 100 bytes");
    }

    @Test
    void tellLearnsAMessage() throws IOException {
        MessageContent unique = content(TestSamples.plainMessage("a@example.com", "b@example.com", "learn me " + System.nanoTime(),
            "Some words to learn " + System.nanoTime()));
        assertThat(spamd.tell(unique, SpamdClient.Learn.HAM, Optional.empty())).isTrue();
    }

    @Test
    void failingMessageSourceIsAnErrorNotHam() {
        SpamVerdict verdict = spamd.check(out -> {
            throw new IOException("disk gone");
        }, Optional.empty());
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
        assertThat(verdict.reason()).get().asString().contains("could not read the message");
    }

    @Test
    void closedPortIsAnError() throws IOException {
        int port = Ports.unused();
        SpamdClient nobody = new SpamdClient(new Endpoint("127.0.0.1", port), SpamdClientConfig.DEFAULT);
        assertThat(nobody.check(PLAIN, Optional.empty()).status()).isEqualTo(SpamVerdict.Status.ERROR);
    }
}
