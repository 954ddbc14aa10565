package dev.bulwark.scanner.rspamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
import dev.bulwark.scanner.verdict.MessageContext;
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

    /** The envelope sender reaches rspamd: its FROM_NEQ_ENVFROM rule compares it with the From: header. */
    @Test
    void theEnvelopeSenderIsSentAsRspamdsFrom() {
        MessageContext fromElsewhere = new MessageContext(Optional.of("203.0.113.9"), Optional.empty(), Optional.of("mx.outside.test"),
            Optional.of("bounces@outside.test"), Optional.empty(), Optional.of("Mail1733136000000-42"));

        SpamVerdict verdict = client.check(HAM, Optional.of("bob@example.com"), fromElsewhere);

        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.HAM);
        assertThat(verdict.symbols()).contains("FROM_NEQ_ENVFROM");
        assertThat(client.check(HAM, Optional.of("bob@example.com")).symbols()).doesNotContain("FROM_NEQ_ENVFROM");
    }

    /**
     * A message of nearly 2 MB (under the default limit) full of distinct long host names: rspamd lists each host in
     * its reply, over 1 MiB of it. The reply is read and scored; dropped as a bad reply, the mail would pass unchecked.
     */
    @Test
    void aMessageFullOfDistinctUrlsNearTheSizeLimitIsScored() throws Exception {
        StringBuilder body = new StringBuilder("Links:\r\n");
        for (int i = 0; body.length() < 1_900_000; i++) {
            body.append("http://host-").append(i).append('-').append("a".repeat(150)).append(".example").append(i % 7).append(".com/\r\n");
        }
        byte[] message = TestSamples.plainMessage("alice@example.com", "bob@example.com", "links", body.toString())
            .getBytes(StandardCharsets.US_ASCII);
        assertThat((long) message.length).isBetween(1_900_000L, RspamdPoolConfig.DEFAULT_MAX_MESSAGE_SIZE);
        RspamdPoolConfig config = RspamdPoolConfig.defaults(List.of(client.endpoint()));
        RspamdHttp.Reply raw = new RspamdHttp(client.endpoint(), config.connectTimeout(), config.timeout())
            .post("/checkv2", Map.of(), message, config.maxReplySize());
        assertThat(raw.body().length).as("rspamd's reply lists every host").isGreaterThan(RspamdHttp.DEFAULT_MAX_REPLY);

        SpamVerdict verdict = client.check(MessageContent.of(message), Optional.of("bob@example.com"));

        assertThat(verdict.status()).as(verdict.reason().orElse("")).isIn(SpamVerdict.Status.HAM, SpamVerdict.Status.SPAM);
        assertThat(verdict.threshold()).isEqualTo(15.0);
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
