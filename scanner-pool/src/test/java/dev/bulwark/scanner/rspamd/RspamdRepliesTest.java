package dev.bulwark.scanner.rspamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.SpamVerdict;

/** rspamd's /checkv2 replies, read strictly: only the known shape gives HAM or SPAM. */
class RspamdRepliesTest {
    private static final Endpoint ENDPOINT = new Endpoint("127.0.0.1", 11333);

    private static SpamVerdict parse(int status, String body) {
        return RspamdReplies.parseCheck(status, body.getBytes(StandardCharsets.UTF_8), ENDPOINT);
    }

    private static String reply(String action, String score) {
        return "{\"is_skipped\":false,\"score\":" + score + ",\"required_score\":15.0,\"action\":\"" + action + "\","
            + "\"symbols\":{\"ZZ_LAST\":{\"name\":\"ZZ_LAST\",\"score\":1.0},\"AA_FIRST\":{\"name\":\"AA_FIRST\",\"score\":2.5}},"
            + "\"messages\":{},\"message-id\":\"x@y\",\"time_real\":0.01}";
    }

    @ParameterizedTest
    @CsvSource({"reject, SPAM", "add header, SPAM", "rewrite subject, SPAM", "no action, HAM", "greylist, HAM", "soft reject, HAM"})
    void actionsMapToSpamClasses(String action, SpamVerdict.Status status) {
        assertThat(parse(200, reply(action, "7.5")).status()).isEqualTo(status);
    }

    @Test
    void scoreThresholdAndSortedSymbolsAreKept() {
        SpamVerdict verdict = parse(200, reply("add header", "7.5"));
        assertThat(verdict.score()).isEqualTo(7.5);
        assertThat(verdict.threshold()).isEqualTo(15.0);
        assertThat(verdict.symbols()).containsExactly("AA_FIRST", "ZZ_LAST");
        assertThat(verdict.endpoint()).contains(ENDPOINT);
    }

    @Test
    void noSymbolsIsAnEmptyList() {
        assertThat(parse(200, "{\"score\":0,\"required_score\":15,\"action\":\"no action\"}").symbols()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "pong", "null", "[]", "\"no action\"", "{}",
        "{\"score\":0,\"required_score\":15}",
        "{\"score\":0,\"required_score\":15,\"action\":\"maybe\"}",
        "{\"score\":0,\"required_score\":15,\"action\":3}",
        "{\"score\":\"0\",\"required_score\":15,\"action\":\"no action\"}",
        "{\"required_score\":15,\"action\":\"no action\"}",
        "{\"score\":0,\"action\":\"no action\"}",
        "{\"score\":0,\"required_score\":15,\"action\":\"no action\",\"symbols\":[]}",
        "{\"score\":0,\"required_score\":15,\"action\":\"no action\",\"symbols\":{\"A B\":{}}}",
        "{\"score\":0,\"required_score\":15,\"action\":\"no action\",\"symbols\":{\"A,B\":{}}}",
        "{\"score\":0,\"required_score\":15,\"action\":\"no action\",\"action\":\"reject\"}",
        "{\"score\":0,\"required_score\":15,\"action\":\"no action\"} trailing",
        "{\"score\":0,\"required_score\":15,\"action\":\"no action\"",
        "{\"score\":1e999,\"required_score\":15,\"action\":\"no action\"}",
    })
    void anyOtherShapeIsAnErrorNeverHam(String body) {
        SpamVerdict verdict = parse(200, body);
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
        assertThat(verdict.reason()).get().asString().startsWith("rspamd's reply ");
    }

    @Test
    void anHttpErrorIsAnErrorQuotingTheBody() {
        SpamVerdict verdict = parse(500, "{\"error\":\"task timeout\u0007\"}");
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
        assertThat(verdict.reason()).contains("rspamd answered HTTP 500: '{\"error\":\"task timeout?\"}'");
    }
}
