package dev.bulwark.scanner.rspamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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

import com.sun.net.httpserver.HttpServer;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.IntegrityProbe;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.RspamdDaemon;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.verdict.SpamVerdict;

/** rspamd failover on the engine-pool core: the real rspamd for answers, closed ports and small fakes for faults. */
@ExtendWith(ScannerDaemonsExtension.class)
class RspamdPoolTest {
    private Endpoint realRspamd;
    private RspamdPool pool;

    @BeforeEach
    void endpoint(RspamdDaemon rspamd) {
        realRspamd = new Endpoint(rspamd.host(), rspamd.port());
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void deadFirstEndpointFailsOverToTheNextAndIsTakenOut() {
        Endpoint dead = new Endpoint("127.0.0.1", Ports.unused());
        pool = new RspamdPool(RspamdPoolConfig.defaults(List.of(dead, realRspamd)));
        for (int i = 0; i < 3; i++) {
            assertThat(pool.check(RspamdClientTest.GTUBE, Optional.empty()).isSpam()).isTrue();
        }
        List<EndpointStats> stats = pool.stats();
        assertThat(stats.get(0).available()).isFalse();
        assertThat(stats.get(0).calls()).isEqualTo(1);
        assertThat(stats.get(1).calls()).isEqualTo(3);
        assertThat(stats).allSatisfy(endpoint -> assertThat(endpoint.active()).isZero());
    }

    @Test
    void allDeadIsAnErrorNamingThem() {
        Endpoint dead = new Endpoint("127.0.0.1", Ports.unused());
        pool = new RspamdPool(RspamdPoolConfig.defaults(List.of(dead)));
        assertThat(pool.check(RspamdClientTest.GTUBE, Optional.empty()).status()).isEqualTo(SpamVerdict.Status.ERROR);
        assertThat(pool.check(RspamdClientTest.GTUBE, Optional.empty()).reason()).get().asString()
            .startsWith("no rspamd in service: " + dead);
    }

    @Test
    void theCoreAdmitsAndSelfTestsRspamd() {
        pool = new RspamdPool(RspamdPoolConfig.defaults(List.of(realRspamd)));
        assertThat(pool.enginePool().daemon()).isEqualTo("rspamd");
        assertThat(new IntegrityProbe(Duration.ofDays(7), java.time.Clock.systemUTC()).check(pool.clients().get(0)))
            .satisfies(state -> {
                assertThat(state.condition()).isEqualTo(dev.bulwark.scanner.integrity.ScannerState.Condition.HEALTHY);
                assertThat(state.reason()).isEqualTo("PING and GTUBE self-test passed");
            });
    }

    /** A fault a real rspamd does not produce: a stall. The check ends within the timeout, on the other rspamd. */
    @Test
    void stalledRspamdTimesOutWithinTheTimeoutAndTheNextAnswers() throws Exception {
        try (ServerSocket stalling = new ServerSocket(0)) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> accept(stalling));
            pool = new RspamdPool(RspamdPoolConfig.defaults(List.of(new Endpoint("127.0.0.1", stalling.getLocalPort()), realRspamd))
                .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500)));
            long start = System.nanoTime();
            SpamVerdict verdict = pool.check(RspamdClientTest.GTUBE, Optional.empty());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(verdict.isSpam()).isTrue();
            assertThat(pool.stats().get(0).lastFailure()).get().asString().contains("rspamd did not answer within 500 ms");
            accepted.get().close();
        }
    }

    /** A fault a real rspamd does not produce: garbage. ERROR, never HAM, and not retried elsewhere. */
    @Test
    void garbageReplyIsAnErrorNotHamAndNotRetried() throws Exception {
        HttpServer garbage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        garbage.createContext("/checkv2", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"action\":\"perhaps\"}".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        garbage.start();
        try {
            pool = new RspamdPool(RspamdPoolConfig.defaults(List.of(new Endpoint("127.0.0.1", garbage.getAddress().getPort()), realRspamd)));
            SpamVerdict verdict = pool.check(RspamdClientTest.GTUBE, Optional.empty());
            assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
            assertThat(verdict.reason()).get().asString().startsWith("rspamd's reply has no known action");
            assertThat(pool.stats().get(1).calls()).isZero();
        } finally {
            garbage.stop(0);
        }
    }

    /** A reply without end: over the size limit it is a bad reply (ERROR), not a wait. */
    @Test
    void endlessReplyIsAnError() throws Exception {
        HttpServer endless = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int maxReply = RspamdPoolConfig.defaults(List.of(realRspamd)).maxReplySize();
        endless.createContext("/checkv2", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 0);
            byte[] junk = new byte[64 * 1024];
            java.util.Arrays.fill(junk, (byte) 'x');
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i <= maxReply / junk.length + 1; i++) {
                    out.write(junk);
                }
            } catch (IOException e) {
                // the client hung up, as it should
            }
        });
        endless.start();
        try {
            pool = new RspamdPool(RspamdPoolConfig.defaults(List.of(new Endpoint("127.0.0.1", endless.getAddress().getPort()))));
            SpamVerdict verdict = pool.check(RspamdClientTest.GTUBE, Optional.empty());
            assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
            assertThat(verdict.reason()).contains("rspamd's reply is over " + maxReply + " bytes");
            assertThat(pool.stats().get(0).available()).as("a bad reply, not a dead endpoint").isTrue();
        } finally {
            endless.stop(0);
        }
    }

    private static Socket accept(ServerSocket server) {
        try {
            return server.accept();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
