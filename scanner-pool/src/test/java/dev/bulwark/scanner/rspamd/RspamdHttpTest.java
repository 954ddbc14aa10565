package dev.bulwark.scanner.rspamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.bulwark.scanner.wire.BadReplyException;

/** rspamd's HTTP replies as RspamdHttp reads them: only a whole HTTP reply counts. */
class RspamdHttpTest {

    @Test
    void readsStatusReasonAndBodyUpToContentLength() throws Exception {
        RspamdHttp.Reply reply = RspamdHttp.parse("HTTP/1.1 200 OK\r\nConnection: close\r\nServer: rspamd/3.4\r\n"
            + "Content-Length: 16\r\nContent-Type: application/json\r\n\r\n{\"success\":true}");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.reason()).isEqualTo("OK");
        assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("{\"success\":true}");
    }

    /** What rspamd's controller sends when its learn conditions decline: a 204 with a Content-Length and no body. */
    @Test
    void a204HasNoBodyWhateverItsContentLengthSays() throws Exception {
        RspamdHttp.Reply reply = RspamdHttp.parse("HTTP/1.1 204 all learn conditions denied learning spam in default classifier\r\n"
            + "Connection: close\r\nContent-Length: 75\r\nContent-Type: application/json\r\n\r\n");
        assertThat(reply.status()).isEqualTo(204);
        assertThat(reply.reason()).isEqualTo("all learn conditions denied learning spam in default classifier");
        assertThat(reply.body()).isEmpty();
    }

    @Test
    void aBodyWithoutContentLengthRunsToTheEnd() throws Exception {
        assertThat(new String(RspamdHttp.parse("HTTP/1.0 200 OK\r\n\r\npong\r\n").body(), StandardCharsets.UTF_8)).isEqualTo("pong\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "pong", "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n", "SPAMD/1.1 0 EX_OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{\"success\"",
        "HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n{}", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}"})
    void anythingElseIsABadReply(String raw) {
        assertThat(catchThrowable(() -> RspamdHttp.parse(raw))).isInstanceOf(BadReplyException.class)
            .hasMessageStartingWith("rspamd's reply is ");
    }
}
