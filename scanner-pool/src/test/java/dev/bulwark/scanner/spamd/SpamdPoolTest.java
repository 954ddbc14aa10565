package dev.bulwark.scanner.spamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamVerdict;

/** spamd failover: the real spamd for answers, closed ports and a tiny fake for faults. */
@ExtendWith(ScannerDaemonsExtension.class)
class SpamdPoolTest {
    private static final MessageContent GTUBE = MessageContent.of(TestSamples.plainMessage("a@example.com", "b@example.com", "offer",
        TestSamples.GTUBE).getBytes(StandardCharsets.US_ASCII));
    private Endpoint realSpamd;
    private SpamdPool pool;

    @BeforeEach
    void endpoint(ScannerDaemons daemons) {
        realSpamd = new Endpoint(daemons.spamdHost(), daemons.spamdPort());
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void deadFirstEndpointFailsOverToTheNextAndIsTakenOut() throws IOException {
        Endpoint dead = new Endpoint("127.0.0.1", Ports.unused());
        pool = new SpamdPool(SpamdPoolConfig.defaults(List.of(dead, realSpamd)));
        for (int i = 0; i < 3; i++) {
            assertThat(pool.check(GTUBE, Optional.empty()).isSpam()).isTrue();
        }
        List<EndpointStats> stats = pool.stats();
        assertThat(stats.get(0).available()).isFalse();
        assertThat(stats.get(0).calls()).isEqualTo(1);
        assertThat(stats.get(1).calls()).isEqualTo(3);
        assertThat(stats).allSatisfy(endpoint -> assertThat(endpoint.active()).isZero());
    }

    @Test
    void allDeadIsAnErrorNamingThem() throws IOException {
        Endpoint dead = new Endpoint("127.0.0.1", Ports.unused());
        pool = new SpamdPool(SpamdPoolConfig.defaults(List.of(dead)));
        assertThat(pool.check(GTUBE, Optional.empty()).status()).isEqualTo(SpamVerdict.Status.ERROR);
        SpamVerdict second = pool.check(GTUBE, Optional.empty());
        assertThat(second.reason()).get().asString().startsWith("no spamd in service: " + dead);
    }

    /** A fault a real spamd does not produce: a stall. The check ends within the exchange timeout, on the other spamd. */
    @Test
    void stalledSpamdTimesOutWithinTheExchangeTimeoutAndTheNextAnswers() throws Exception {
        try (ServerSocket stalling = new ServerSocket(0)) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> acceptAndRead(stalling));
            SpamdClientConfig quick = new SpamdClientConfig(Duration.ofSeconds(1), Duration.ofMillis(500), SpamdClientConfig.DEFAULT_MAX_MESSAGE_SIZE);
            pool = new SpamdPool(new SpamdPoolConfig(List.of(new Endpoint("127.0.0.1", stalling.getLocalPort()), realSpamd), quick,
                2, Duration.ofSeconds(1), Duration.ofSeconds(5)));
            long start = System.nanoTime();
            SpamVerdict verdict = pool.check(GTUBE, Optional.empty());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(verdict.isSpam()).isTrue();
            assertThat(pool.stats().get(0).lastFailure()).get().asString().contains("did not answer within 500 ms");
            accepted.get().close();
        }
    }

    /** A fault a real spamd does not produce: garbage. ERROR, never HAM, and not retried elsewhere. */
    @Test
    void garbageReplyIsAnErrorNotHam() throws Exception {
        try (ServerSocket garbage = new ServerSocket(0)) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try (Socket socket = acceptAndRead(garbage)) {
                    socket.getOutputStream().write("SPAMD/1.1 0 EX_OK\r\nSpam: Perhaps\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            pool = new SpamdPool(SpamdPoolConfig.defaults(List.of(new Endpoint("127.0.0.1", garbage.getLocalPort()), realSpamd)));
            SpamVerdict verdict = pool.check(GTUBE, Optional.empty());
            server.get();
            assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
            assertThat(pool.stats().get(1).calls()).isZero();
        }
    }

    private static Socket acceptAndRead(ServerSocket server) {
        try {
            Socket socket = server.accept();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            // Read the request: headers, then Content-length bytes; the client half-closes after sending.
            while (in.read(buffer) != -1) {
                // draining
            }
            return socket;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
