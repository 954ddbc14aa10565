package dev.bulwark.scanner.clamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.wire.ScannerTimeouts;

@ExtendWith(ScannerDaemonsExtension.class)
class ClamdClientTest {
    private static final ScannerTimeouts SHORT = new ScannerTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
    private static ClamdClient clamd;

    @BeforeAll
    static void connect(ScannerDaemons daemons) {
        clamd = new ClamdClient(new Endpoint(daemons.clamdHost(), daemons.clamdPort()), ScannerTimeouts.DEFAULT, 1024);
    }

    @Test
    void answersPingAndVersion() throws IOException {
        clamd.ping();
        assertThat(clamd.version().engine()).startsWith("ClamAV ");
    }

    @Test
    void rawEicarIsInfected() {
        ScanVerdict verdict = clamd.scan(MessageContent.of(TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.INFECTED);
        assertThat(verdict.names()).singleElement().asString().startsWith("Bulwark-Test.EICAR");
        assertThat(verdict.endpoint()).contains(clamd.endpoint());
        assertThat(verdict.engine()).get().asString().startsWith("ClamAV ");
    }

    @Test
    void eicarAttachedToAMessageIsInfectedEvenAcrossManyChunks() {
        String message = TestSamples.messageWithAttachment("a@example.com", "b@example.com", "hello", "eicar.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
        String padded = message.replace("Please find the file attached.", "x".repeat(10_000));
        ScanVerdict verdict = clamd.scan(MessageContent.of(padded.getBytes(StandardCharsets.US_ASCII)));
        assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.INFECTED);
    }

    @Test
    void projectMarkerSignatureIsFound() {
        ScanVerdict verdict = clamd.scan(MessageContent.of("prefix BULWARK-TEST-VIRUS-MARKER-7f3a suffix".getBytes(StandardCharsets.US_ASCII)));
        assertThat(verdict.names()).singleElement().asString().startsWith("Bulwark-Test.Marker");
    }

    @Test
    void cleanMessageIsClean() {
        String message = TestSamples.plainMessage("a@example.com", "b@example.com", "hi", "nothing to see");
        assertThat(clamd.scan(MessageContent.of(message.getBytes(StandardCharsets.US_ASCII))).status())
            .isEqualTo(ScanVerdict.Status.CLEAN);
    }

    @Test
    void messageOverClamdsStreamLimitIsUnscannableNotClean() {
        byte[] megabyte = new byte[1024 * 1024];
        ScanVerdict verdict = clamd.scan(out -> {
            for (int i = 0; i < 26; i++) { // scanners.sh sets StreamMaxLength 25M
                out.write(megabyte);
            }
        });
        assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.UNSCANNABLE);
    }

    @Test
    void failingMessageSourceIsAnErrorNotClean() {
        ScanVerdict verdict = clamd.scan(out -> {
            out.write("partial".getBytes(StandardCharsets.US_ASCII));
            throw new IOException("disk gone");
        });
        assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.ERROR);
    }

    @Test
    void closedPortIsAnError() throws IOException {
        int port = Ports.unused();
        ClamdClient nobody = new ClamdClient(new Endpoint("127.0.0.1", port), SHORT);
        assertThat(nobody.scan(MessageContent.of(new byte[10])).status()).isEqualTo(ScanVerdict.Status.ERROR);
        assertThatThrownBy(nobody::ping).isInstanceOf(IOException.class);
    }

    /** A fault a real clamd cannot produce: a daemon that answers garbage. */
    @Test
    void garbageReplyIsAnError() throws Exception {
        try (ServerSocket fake = new ServerSocket(0)) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> answerOnce(fake, "stream: OK but not really\0"));
            ClamdClient client = new ClamdClient(new Endpoint("127.0.0.1", fake.getLocalPort()), SHORT);
            ScanVerdict verdict = client.scan(MessageContent.of("hello".getBytes(StandardCharsets.US_ASCII)));
            server.get();
            assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.ERROR);
        }
    }

    /** A fault a real clamd cannot produce on demand: a daemon that accepts and never answers. */
    @Test
    void stalledDaemonIsAnErrorAfterTheReadTimeout() throws Exception {
        try (ServerSocket fake = new ServerSocket(0)) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return fake.accept();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            ClamdClient client = new ClamdClient(new Endpoint("127.0.0.1", fake.getLocalPort()),
                new ScannerTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)));
            ScanVerdict verdict = client.scan(MessageContent.of("hello".getBytes(StandardCharsets.US_ASCII)));
            accepted.get().close();
            assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.ERROR);
            assertThat(verdict.reason()).get().asString().contains("did not answer");
        }
    }

    private static void answerOnce(ServerSocket server, String reply) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            byte[] header = in.readNBytes("zINSTREAM\0".length());
            assertThat(new String(header, StandardCharsets.US_ASCII)).isEqualTo("zINSTREAM\0");
            int length;
            do {
                byte[] size = in.readNBytes(4);
                length = ((size[0] & 0xff) << 24) | ((size[1] & 0xff) << 16) | ((size[2] & 0xff) << 8) | (size[3] & 0xff);
                in.readNBytes(length);
            } while (length > 0);
            OutputStream out = socket.getOutputStream();
            out.write(reply.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
