package dev.bulwark.scanner.clamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;

/** The pool's normal paths against the run's real clamd. */
@ExtendWith(ScannerDaemonsExtension.class)
class ClamdPoolTest {
    private static final MessageContent EICAR = MessageContent.of(TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    private static final MessageContent CLEAN = MessageContent.of("just words".getBytes(StandardCharsets.US_ASCII));

    private WeightedEndpoint realClamd;
    private ClamdPool pool;

    @BeforeEach
    void endpoint(ScannerDaemons daemons) {
        realClamd = new WeightedEndpoint(new Endpoint(daemons.clamdHost(), daemons.clamdPort()), 1);
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void sequentialScansReuseOneSession() {
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(realClamd)));
        for (int i = 0; i < 20; i++) {
            assertThat(pool.scan(CLEAN).status()).isEqualTo(ScanVerdict.Status.CLEAN);
        }
        ScanVerdict infected = pool.scan(EICAR);
        assertThat(infected.status()).isEqualTo(ScanVerdict.Status.INFECTED);
        assertThat(infected.engine()).get().asString().startsWith("ClamAV ");

        EndpointStats stats = pool.stats().get(0);
        assertThat(stats.calls()).isEqualTo(21);
        assertThat(stats.active()).isZero();
        assertThat(stats.idle()).isEqualTo(1);
        assertThat(stats.failures()).isZero();
    }

    @Test
    void anEndpointThatFailedItsSelfTestTakesNoMailUntilItPassesAgain() {
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(realClamd)));
        pool.selfTestFailed(realClamd.endpoint(), "self-test failed: EICAR test file scanned CLEAN");

        ScanVerdict refused = pool.scan(CLEAN);
        assertThat(refused.status()).isEqualTo(ScanVerdict.Status.ERROR);
        assertThat(refused.reason()).get().asString().contains("EICAR test file scanned CLEAN");
        // PING still answers: the background probe must not put it back.
        assertThat(pool.checkEndpoints()).singleElement().satisfies(stats -> assertThat(stats.available()).isFalse());
        assertThat(pool.scan(CLEAN).status()).isEqualTo(ScanVerdict.Status.ERROR);

        pool.selfTestPassed(realClamd.endpoint());
        assertThat(pool.scan(CLEAN).status()).isEqualTo(ScanVerdict.Status.CLEAN);
        assertThat(pool.stats().get(0).available()).isTrue();
    }

    @Test
    void concurrentScansStayWithinTheConnectionLimitAndLeakNothing() throws Exception {
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(realClamd)).withMaxConnectionsPerEndpoint(3));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<ScanVerdict>> verdicts = threads.invokeAll(java.util.stream.IntStream.range(0, 64)
                .mapToObj(i -> (java.util.concurrent.Callable<ScanVerdict>) () -> pool.scan(i % 8 == 0 ? EICAR : CLEAN))
                .toList());
            for (int i = 0; i < verdicts.size(); i++) {
                assertThat(verdicts.get(i).get().status())
                    .isEqualTo(i % 8 == 0 ? ScanVerdict.Status.INFECTED : ScanVerdict.Status.CLEAN);
            }
        } finally {
            threads.shutdown();
        }
        EndpointStats stats = pool.stats().get(0);
        assertThat(stats.active()).isZero();
        assertThat(stats.idle()).isBetween(1, 3);
    }

    @Test
    void oneDeadEndpointOfTwoIsTakenOutAndNoScanFails() throws IOException {
        WeightedEndpoint dead = new WeightedEndpoint(new Endpoint("127.0.0.1", Ports.unused()), 1);
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(dead, realClamd)));
        for (int i = 0; i < 10; i++) {
            assertThat(pool.scan(EICAR).status()).isEqualTo(ScanVerdict.Status.INFECTED);
        }
        List<EndpointStats> stats = pool.stats();
        assertThat(stats.get(0).available()).isFalse();
        assertThat(stats.get(0).calls()).isEqualTo(1);
        assertThat(stats.get(0).lastFailure()).get().asString().contains("clamd unreachable");
        assertThat(stats.get(1).calls()).isEqualTo(10);
    }

    @Test
    void allEndpointsDeadIsAnErrorNamingThem() throws IOException {
        WeightedEndpoint dead = new WeightedEndpoint(new Endpoint("127.0.0.1", Ports.unused()), 1);
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(dead)));
        ScanVerdict first = pool.scan(CLEAN);
        assertThat(first.status()).isEqualTo(ScanVerdict.Status.ERROR);
        ScanVerdict second = pool.scan(CLEAN);
        assertThat(second.status()).isEqualTo(ScanVerdict.Status.ERROR);
        assertThat(second.reason()).get().asString().startsWith("no clamd in service: " + dead.endpoint());
    }

    @Test
    void knownOversizeMessageIsUnscannableWithoutBeingSent() {
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(realClamd)).withMaxStreamSize(1000));
        assertThat(pool.scan(CLEAN, 5000).status()).isEqualTo(ScanVerdict.Status.UNSCANNABLE);
        assertThat(pool.stats().get(0).calls()).isZero();
    }

    @Test
    void oversizeStreamIsUnscannableAndThePoolRecovers() {
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(realClamd)));
        byte[] megabyte = new byte[1024 * 1024];
        ScanVerdict big = pool.scan(out -> {
            for (int i = 0; i < 26; i++) { // scanners.sh sets StreamMaxLength 25M
                out.write(megabyte);
            }
        });
        assertThat(big.status()).isEqualTo(ScanVerdict.Status.UNSCANNABLE);
        assertThat(pool.scan(EICAR).status()).isEqualTo(ScanVerdict.Status.INFECTED);
        assertThat(pool.stats().get(0).available()).isTrue();
        assertThat(pool.stats().get(0).active()).isZero();
    }

}
