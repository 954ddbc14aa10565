package dev.bulwark.scanner.clamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.ScanVerdict;

class ClamdRepliesTest {
    private static final Endpoint CLAMD = new Endpoint("127.0.0.1", 3310);

    @Test
    void okIsClean() {
        assertThat(ClamdReplies.parseScanReply("stream: OK", CLAMD)).isEqualTo(ScanVerdict.clean(CLAMD));
    }

    @Test
    void foundNamesTheVirus() {
        assertThat(ClamdReplies.parseScanReply("stream: Win.Test.EICAR_HDB-1 FOUND", CLAMD))
            .isEqualTo(ScanVerdict.infected(List.of("Win.Test.EICAR_HDB-1"), CLAMD));
    }

    @Test
    void heuristicsAreSuspiciousNotInfected() {
        assertThat(ClamdReplies.parseScanReply("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND", CLAMD).status())
            .isEqualTo(ScanVerdict.Status.SUSPICIOUS);
        assertThat(ClamdReplies.parseScanReply("stream: (null) FOUND", CLAMD).status())
            .isEqualTo(ScanVerdict.Status.SUSPICIOUS);
    }

    @Test
    void sizeLimitIsUnscannable() {
        assertThat(ClamdReplies.parseScanReply("INSTREAM size limit exceeded. ERROR", CLAMD).status())
            .isEqualTo(ScanVerdict.Status.UNSCANNABLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "OK", "stream:OK", "stream: ok", "stream: FOUND", "stream:  FOUND", "PONG",
        "stream: OK trailing", "garbage \u0001\u0002", "stream: Some error ERROR", "1: stream: OK"})
    void anythingElseIsAnErrorNeverCleanNorInfected(String reply) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(reply, CLAMD);
        assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.ERROR);
        assertThat(verdict.reason()).isPresent();
        assertThat(verdict.reason().get()).doesNotContain("\u0001");
    }
}
