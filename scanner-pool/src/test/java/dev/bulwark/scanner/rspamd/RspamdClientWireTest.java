package dev.bulwark.scanner.rspamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.MessageContext;
import dev.bulwark.scanner.verdict.SpamVerdict;

/**
 * RspamdClient against a fake rspamd: the request headers a check sends, and a reply as large as a real rspamd gives
 * only for a hostile message (the real one is in RspamdClientTest).
 */
class RspamdClientWireTest {
    private static final String SMALL_REPLY = "{\"action\":\"no action\",\"score\":0.5,\"required_score\":15.0,\"symbols\":{}}";
    private static final MessageContext FROM_OUTSIDE = new MessageContext(Optional.of("203.0.113.9"), Optional.of("mx.outside.test"),
        Optional.of("mx.outside.test"), Optional.of("newsletter@outside.test"), Optional.empty(), Optional.of("Mail1733136000000-42"));

    private HttpServer fake;
    private final AtomicReference<Headers> received = new AtomicReference<>();
    private final AtomicReference<byte[]> reply = new AtomicReference<>(SMALL_REPLY.getBytes(StandardCharsets.US_ASCII));
    private RspamdClient client;

    @BeforeEach
    void start() throws Exception {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/checkv2", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.set(exchange.getRequestHeaders());
            byte[] body = reply.get();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        fake.start();
        Endpoint endpoint = new Endpoint("127.0.0.1", fake.getAddress().getPort());
        client = new RspamdClient(endpoint, RspamdPoolConfig.defaults(List.of(endpoint)));
    }

    @AfterEach
    void stop() {
        fake.stop(0);
    }

    @Test
    void theSmtpContextGoesAsRspamdsOwnHeaders() {
        MessageContext submitted = new MessageContext(Optional.of("203.0.113.9"), Optional.of("mx.outside.test"), Optional.of("mx.outside.test"),
            Optional.of("newsletter@outside.test"), Optional.of("alice"), Optional.of("Mail1733136000000-42"));

        assertThat(client.check(RspamdClientTest.HAM, Optional.of("bob@example.com"), submitted).status()).isEqualTo(SpamVerdict.Status.HAM);

        Headers headers = received.get();
        assertThat(headers.get("IP")).containsExactly("203.0.113.9");
        assertThat(headers.get("Hostname")).containsExactly("mx.outside.test");
        assertThat(headers.get("Helo")).containsExactly("mx.outside.test");
        assertThat(headers.get("From")).containsExactly("newsletter@outside.test");
        assertThat(headers.get("User")).containsExactly("alice");
        assertThat(headers.get("Queue-Id")).containsExactly("Mail1733136000000-42");
        assertThat(headers.get("Deliver-To")).containsExactly("bob@example.com");
        assertThat(headers.get("Rcpt")).containsExactly("bob@example.com");
    }

    /** A check of the whole mail names every envelope recipient, as a milter would; one recipient's check names only that one. */
    @Test
    void aWholeMailCheckGivesEveryRecipientAsRcptBoundedAndClean() {
        List<String> recipients = new java.util.ArrayList<>(List.of("bob@example.com", "carol@example.com", "bad\r\nUser: root@example.com"));
        for (int i = 0; i < 150; i++) {
            recipients.add("user" + i + "@example.com");
        }
        MessageContext wholeMail = new MessageContext(Optional.of("203.0.113.9"), Optional.empty(), Optional.empty(),
            Optional.of("newsletter@outside.test"), Optional.empty(), Optional.empty(), recipients);

        client.check(RspamdClientTest.HAM, Optional.empty(), wholeMail);

        List<String> rcpt = received.get().get("Rcpt");
        assertThat(rcpt).hasSize(RspamdClient.MAX_RCPT_HEADERS).startsWith("bob@example.com", "carol@example.com", "user0@example.com")
            .noneMatch(value -> value.contains("root"));
        assertThat(received.get().keySet()).map(String::toLowerCase).doesNotContain("deliver-to", "user");

        client.check(RspamdClientTest.HAM, Optional.of("carol@example.com"), wholeMail);

        assertThat(received.get().get("Rcpt")).containsExactly("carol@example.com");
        assertThat(received.get().get("Deliver-To")).containsExactly("carol@example.com");
    }

    /** Nothing that would make rspamd's reply longer: no full URLs, no symbol groups. */
    @Test
    void noFlagOrFormatThatLengthensTheReplyIsAsked() {
        client.check(RspamdClientTest.HAM, Optional.of("bob@example.com"), FROM_OUTSIDE);

        assertThat(received.get().keySet()).map(String::toLowerCase).doesNotContain("flags", "url-format");
    }

    @Test
    void withoutContextOnlyTheRecipientIsSent() {
        client.check(RspamdClientTest.HAM, Optional.of("bob@example.com"));

        assertThat(received.get().keySet()).map(String::toLowerCase).containsOnly("host", "connection", "content-length", "deliver-to", "rcpt");
    }

    @Test
    void theNullSenderOfABounceGoesAsAnEmptyPath() {
        MessageContext bounce = new MessageContext(Optional.of("203.0.113.9"), Optional.empty(), Optional.empty(),
            Optional.of(MessageContext.NULL_SENDER), Optional.empty(), Optional.empty());

        client.check(RspamdClientTest.HAM, Optional.empty(), bounce);

        assertThat(received.get().get("From")).containsExactly("<>");
    }

    /** A hostile client chooses its HELO and sender: what cannot be a header value is left out, never sent broken. */
    @Test
    void valuesThatCannotBeHeaderValuesAreLeftOut() {
        MessageContext hostile = new MessageContext(Optional.of("mx.outside.test"), Optional.of("mx outside"),
            Optional.of("mx.outside.test\r\nDeliver-To: postmaster@example.com"), Optional.of("jürgen@outside.test"),
            Optional.of("a".repeat(321)), Optional.of(""));

        SpamVerdict verdict = client.check(RspamdClientTest.HAM, Optional.of("bob@example.com"), hostile);

        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.HAM);
        assertThat(received.get().keySet()).map(String::toLowerCase).doesNotContain("ip", "hostname", "helo", "from", "user", "queue-id");
        assertThat(received.get().get("Deliver-To")).containsExactly("bob@example.com");
    }

    @Test
    void addressLiteralsAreSentAsRspamdParsesThem() {
        assertThat(RspamdClient.addressLiteral("192.0.2.1")).contains("192.0.2.1");
        assertThat(RspamdClient.addressLiteral("[2001:db8::1]")).contains("2001:db8::1");
        assertThat(RspamdClient.addressLiteral("fe80::1%eth0")).contains("fe80::1");
        assertThat(RspamdClient.addressLiteral("::ffff:192.0.2.1")).contains("::ffff:192.0.2.1");
        assertThat(RspamdClient.addressLiteral("256.0.0.1")).isEmpty();
        assertThat(RspamdClient.addressLiteral("localhost")).isEmpty();
        assertThat(RspamdClient.addressLiteral("")).isEmpty();
    }

    /**
     * A hostile message full of distinct host names gets a reply over 1 MiB from a real rspamd; with the default
     * 2 MB message limit such a reply must still be read and scored, not dropped as a bad reply (an ERROR lets the
     * mail through unchecked).
     */
    @Test
    void aReplyOfOneAndAHalfMebibytesOfValidJsonIsScored() {
        reply.set(replyListing(urlHosts(1536 * 1024)));
        assertThat(reply.get().length).isGreaterThan(1536 * 1024);

        SpamVerdict verdict = client.check(RspamdClientTest.HAM, Optional.empty(), FROM_OUTSIDE);

        assertThat(verdict.status()).as(verdict.reason().orElse("")).isEqualTo(SpamVerdict.Status.SPAM);
        assertThat(verdict.score()).isEqualTo(16.0);
        assertThat(verdict.symbols()).containsExactly("R_SUSPICIOUS_URL");
    }

    @Test
    void aReplyOverTheLimitIsStillABadReply() {
        RspamdPoolConfig config = RspamdPoolConfig.defaults(List.of(client.endpoint()));
        reply.set(replyListing(urlHosts(config.maxReplySize())));

        SpamVerdict verdict = client.check(RspamdClientTest.HAM, Optional.empty(), FROM_OUTSIDE);

        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
        assertThat(verdict.reason()).contains("rspamd's reply is over " + config.maxReplySize() + " bytes");
    }

    /** Twice the largest message plus room for the rest, never less than what rspamd's max_urls can list, always an int. */
    @Test
    void theReplyLimitGrowsWithTheMessageLimit() {
        assertThat(withMaxMessageSize(2L * 1024 * 1024).maxReplySize()).isEqualTo(4 * 1024 * 1024 + 64 * 1024);
        assertThat(withMaxMessageSize(10L * 1024 * 1024).maxReplySize()).isEqualTo(20 * 1024 * 1024 + 64 * 1024);
        assertThat(withMaxMessageSize(100 * 1024).maxReplySize()).isEqualTo(4 * 1024 * 1024);
        assertThat(withMaxMessageSize(Long.MAX_VALUE).maxReplySize()).isEqualTo(Integer.MAX_VALUE - 8);
    }

    private RspamdPoolConfig withMaxMessageSize(long maxMessageSize) {
        return new RspamdPoolConfig(List.of(client.endpoint()), RspamdPoolConfig.DEFAULT_CONNECT_TIMEOUT, RspamdPoolConfig.DEFAULT_TIMEOUT, 1,
            RspamdPoolConfig.DEFAULT_BORROW_TIMEOUT, RspamdPoolConfig.DEFAULT_PROBE_INTERVAL, maxMessageSize);
    }

    /** rspamd's /checkv2 JSON for a spam verdict, listing {@code urls} as rspamd lists the hosts it found. */
    private static byte[] replyListing(String urls) {
        return ("{\"is_skipped\":false,\"score\":16.0,\"required_score\":15.0,\"action\":\"reject\",\"symbols\":{\"R_SUSPICIOUS_URL\":"
            + "{\"name\":\"R_SUSPICIOUS_URL\",\"score\":16.0,\"metric_score\":5.0}},\"messages\":{},\"urls\":[" + urls + "],\"emails\":[],"
            + "\"message-id\":\"hostile@outside.test\",\"time_real\":1.2}").getBytes(StandardCharsets.US_ASCII);
    }

    /** Distinct quoted host names, comma separated, at least {@code bytes} long. */
    private static String urlHosts(int bytes) {
        StringBuilder hosts = new StringBuilder(bytes + 256);
        for (int i = 0; hosts.length() < bytes; i++) {
            hosts.append(i == 0 ? "" : ",").append("\"host-").append(i).append("-").append("a".repeat(150)).append(".example.com\"");
        }
        return hosts.toString();
    }
}
