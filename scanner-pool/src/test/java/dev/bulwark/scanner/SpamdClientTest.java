package dev.bulwark.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;

@ExtendWith(ScannerDaemonsExtension.class)
class SpamdClientTest {
    private static SpamdClient spamd;

    @BeforeAll
    static void connect(ScannerDaemons daemons) {
        spamd = new SpamdClient(new Endpoint(daemons.spamdHost(), daemons.spamdPort()), ScannerTimeouts.DEFAULT);
    }

    @Test
    void answersPing() throws IOException {
        spamd.ping();
    }

    @Test
    void gtubeIsSpamWithItsSymbol() {
        String message = TestSamples.plainMessage("a@example.com", "b@example.com", "offer", TestSamples.GTUBE);
        SpamVerdict verdict = spamd.check(MessageContent.of(message.getBytes(StandardCharsets.US_ASCII)), Optional.of("bob"));
        assertThat(verdict.isSpam()).isTrue();
        assertThat(verdict.score()).isGreaterThanOrEqualTo(1000.0);
        assertThat(verdict.symbols()).contains("GTUBE");
    }

    @Test
    void plainMessageIsHam() {
        String message = TestSamples.plainMessage("a@example.com", "b@example.com", "lunch", "Shall we meet at noon?");
        SpamVerdict verdict = spamd.check(MessageContent.of(message.getBytes(StandardCharsets.US_ASCII)), Optional.empty());
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.HAM);
        assertThat(verdict.threshold()).isEqualTo(5.0);
    }

    @Test
    void closedPortIsAnError() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        SpamdClient nobody = new SpamdClient(new Endpoint("127.0.0.1", port), ScannerTimeouts.DEFAULT);
        assertThat(nobody.check(MessageContent.of(new byte[10]), Optional.empty()).status()).isEqualTo(SpamVerdict.Status.ERROR);
    }
}
