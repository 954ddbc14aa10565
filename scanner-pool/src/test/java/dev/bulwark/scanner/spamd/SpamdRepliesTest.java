package dev.bulwark.scanner.spamd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.SpamVerdict;

class SpamdRepliesTest {
    private static final Endpoint SPAMD = new Endpoint("127.0.0.1", 783);

    @Test
    void spamReplyCarriesScoreThresholdAndSymbols() {
        SpamVerdict verdict = SpamdReplies.parseSymbolsReply(
            "SPAMD/1.1 0 EX_OK\r\nContent-length: 17\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,MSGID_SHORT", SPAMD);
        assertThat(verdict.isSpam()).isTrue();
        assertThat(verdict.score()).isEqualTo(1000.0);
        assertThat(verdict.threshold()).isEqualTo(5.0);
        assertThat(verdict.symbols()).containsExactly("GTUBE", "MSGID_SHORT");
    }

    @Test
    void hamReplyWithNegativeScore() {
        SpamVerdict verdict = SpamdReplies.parseSymbolsReply("SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.1 / 5.0\r\n\r\n", SPAMD);
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.HAM);
        assertThat(verdict.score()).isEqualTo(-0.1);
        assertThat(verdict.symbols()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "SPAMD/1.1 0 EX_OK", "SPAMD/1.1 76 EX_PROTOCOL\r\n\r\n",
        "HTTP/1.1 200 OK\r\nSpam: True ; 1.0 / 5.0\r\n\r\n", "SPAMD/1.1 0 EX_OK\r\nSpam: Maybe ; 1.0 / 5.0\r\n\r\n",
        "SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n\r\n"})
    void malformedRepliesAreErrors(String reply) {
        assertThat(SpamdReplies.parseSymbolsReply(reply, SPAMD).status()).isEqualTo(SpamVerdict.Status.ERROR);
    }
}
