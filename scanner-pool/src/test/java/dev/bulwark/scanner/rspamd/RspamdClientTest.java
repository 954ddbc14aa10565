package dev.bulwark.scanner.rspamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.RspamdDaemon;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamVerdict;

/** RspamdClient against the run's real rspamd (scripts/scanners.sh's offline configuration). */
@ExtendWith(ScannerDaemonsExtension.class)
class RspamdClientTest {
    static final MessageContent GTUBE = message("offer", TestSamples.GTUBE);
    static final MessageContent HAM = message("Lunch on Friday", "Hi Bob, shall we have lunch on Friday at the usual place? Alice");
    private static RspamdClient client;

    @BeforeAll
    static void connect(RspamdDaemon rspamd) {
        client = new RspamdClient(new Endpoint(rspamd.host(), rspamd.port()), RspamdPoolConfig.defaults(List.of(new Endpoint(rspamd.host(), rspamd.port()))));
    }

    static MessageContent message(String subject, String body) {
        return MessageContent.of(TestSamples.plainMessage("alice@example.com", "bob@example.com", subject, body).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void answersPing() {
        assertThatCode(client::ping).doesNotThrowAnyException();
    }

    @Test
    void gtubeIsSpamWithItsSymbolAtTheRejectScore() {
        SpamVerdict verdict = client.check(GTUBE, Optional.of("bob@example.com"));
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.SPAM);
        assertThat(verdict.symbols()).contains("GTUBE");
        assertThat(verdict.score()).isGreaterThanOrEqualTo(verdict.threshold());
        assertThat(verdict.endpoint()).contains(client.endpoint());
    }

    @Test
    void plainMessageIsHamWithSortedSymbols() {
        SpamVerdict verdict = client.check(HAM, Optional.of("bob@example.com"));
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.HAM);
        assertThat(verdict.score()).isLessThan(verdict.threshold());
        assertThat(verdict.symbols()).isSorted();
    }

    /** The recipient reaches rspamd as the envelope recipient: its TO_MATCH_ENVRCPT_ALL rule sees it match To:. */
    @Test
    void theRecipientIsSentAsTheEnvelopeRecipient() {
        assertThat(client.check(HAM, Optional.of("bob@example.com")).symbols()).contains("TO_MATCH_ENVRCPT_ALL");
        assertThat(client.check(HAM, Optional.empty()).symbols()).doesNotContain("TO_MATCH_ENVRCPT_ALL");
    }

    @Test
    void selfTestPasses() {
        assertThat(client.selfTest().run()).isEmpty();
        assertThat(client.daemon()).isEqualTo("rspamd");
    }

    @Test
    void messageOverTheSizeLimitIsSkippedWithoutBeingSent() {
        RspamdPoolConfig small = new RspamdPoolConfig(List.of(client.endpoint()), RspamdPoolConfig.DEFAULT_CONNECT_TIMEOUT,
            RspamdPoolConfig.DEFAULT_TIMEOUT, 1, RspamdPoolConfig.DEFAULT_BORROW_TIMEOUT, RspamdPoolConfig.DEFAULT_PROBE_INTERVAL, 100);
        SpamVerdict verdict = new RspamdClient(client.endpoint(), small).check(GTUBE, Optional.empty());
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.SKIPPED);
        assertThat(verdict.reason()).get().asString().contains("over 100 bytes");
    }

    @Test
    void failingMessageSourceIsAnErrorNotHam() {
        SpamVerdict verdict = client.check(out -> {
            throw new IOException("disk gone");
        }, Optional.empty());
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
        assertThat(verdict.reason()).get().asString().contains("could not read the message").contains("disk gone");
    }

    @Test
    void closedPortIsAnErrorAndPingThrows() {
        Endpoint closed = new Endpoint("127.0.0.1", Ports.unused());
        RspamdClient dead = new RspamdClient(closed, RspamdPoolConfig.defaults(List.of(closed)));
        assertThat(dead.check(GTUBE, Optional.empty()).reason()).get().asString().startsWith("rspamd unreachable");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(dead::ping)).isInstanceOf(IOException.class);
    }

    @Test
    void aRecipientThatCannotBeAHeaderIsLeftOut() {
        assertThat(RspamdClient.recipient(Optional.of("bob smith@example.com"))).isEmpty();
        assertThat(RspamdClient.recipient(Optional.of("bob@example.com\r\nX: y"))).isEmpty();
        assertThat(RspamdClient.recipient(Optional.of("bob@example.com"))).contains("bob@example.com");
        assertThat(client.check(GTUBE, Optional.of("bob smith@example.com")).isSpam()).isTrue();
    }
}
