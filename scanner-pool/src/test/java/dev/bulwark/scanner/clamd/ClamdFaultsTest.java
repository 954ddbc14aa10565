package dev.bulwark.scanner.clamd;

import static dev.bulwark.scanner.clamd.ScriptableClamd.Command.IDSESSION;
import static dev.bulwark.scanner.clamd.ScriptableClamd.Command.INSTREAM;
import static dev.bulwark.scanner.clamd.ScriptableClamd.answerNumbered;
import static dev.bulwark.scanner.clamd.ScriptableClamd.garbage;
import static dev.bulwark.scanner.clamd.ScriptableClamd.partial;
import static dev.bulwark.scanner.clamd.ScriptableClamd.resetMidStream;
import static dev.bulwark.scanner.clamd.ScriptableClamd.sizeLimitExceeded;
import static dev.bulwark.scanner.clamd.ScriptableClamd.stall;
import static dev.bulwark.scanner.clamd.ScriptableClamd.stopReading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * {@link ClamdClient} and {@link ClamdPool} against the faults a real clamd cannot produce on demand,
 * served by {@link ScriptableClamd}. The normal paths are tested against the real clamd elsewhere.
 * No fault ever gives CLEAN or INFECTED; after every test no session is lent, the fakes hold only the
 * connections the pool keeps idle (none once it is closed), and no prober thread survives the pool.
 */
class ClamdFaultsTest {
    private static final Duration READ_TIMEOUT = Duration.ofMillis(500);
    private static final ScannerTimeouts SHORT = new ScannerTimeouts(Duration.ofMillis(500), READ_TIMEOUT);
    private static final Duration BORROW_TIMEOUT = Duration.ofMillis(300);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
    /** Scheduling slack on a loaded 2-core machine; a timeout that does not fire is off by far more. */
    private static final Duration MARGIN = Duration.ofSeconds(1);
    private static final Duration EARLY = Duration.ofMillis(50);
    private static final String PROBER = "bulwark-clamd-prober";
    private static final byte[] WORDS = "just words".getBytes(StandardCharsets.US_ASCII);
    private static final int KIB = 1024;

    private final List<ScriptableClamd> fakes = new ArrayList<>();
    private ClamdPool pool;

    // ---- set-up and the checks after every test ----

    private ScriptableClamd fake() throws IOException {
        ScriptableClamd fake = ScriptableClamd.start();
        fakes.add(fake);
        return fake;
    }

    private static ClamdPoolConfig config(ScriptableClamd... endpoints) {
        return new ClamdPoolConfig(Arrays.stream(endpoints).map(ScriptableClamd::weighted).toList(), SHORT, 2,
            BORROW_TIMEOUT, Duration.ofSeconds(20), PROBE_INTERVAL, KIB, ClamdPoolConfig.DEFAULT_MAX_STREAM_SIZE);
    }

    private ClamdPool pool(ScriptableClamd... endpoints) {
        pool = new ClamdPool(config(endpoints));
        return pool;
    }

    private static ClamdClient client(ScriptableClamd fake) {
        return new ClamdClient(fake.endpoint(), SHORT, KIB);
    }

    private static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10));
    }

    private ScriptableClamd fakeAt(EndpointStats stats) {
        return fakes.stream().filter(fake -> fake.endpoint().equals(stats.endpoint().endpoint())).findFirst().orElseThrow();
    }

    private static List<String> liveProbers() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().equals(PROBER) && thread.isAlive())
            .map(Thread::getName)
            .toList();
    }

    @AfterEach
    void leavesNothingBehind() {
        try {
            if (pool != null) {
                assertThat(pool.stats()).as("sessions still lent after the test")
                    .allSatisfy(stats -> assertThat(stats.active()).isZero());
                eventually().untilAsserted(() -> assertThat(pool.stats()).as("open connections per endpoint vs idle sessions")
                    .allSatisfy(stats -> assertThat(fakeAt(stats).open()).as("%s", stats.endpoint()).isEqualTo(stats.idle())));
                pool.close();
            }
            eventually().untilAsserted(() -> assertThat(fakes).as("connections left open")
                .allSatisfy(fake -> assertThat(fake.open()).as("%s", fake).isZero()));
            eventually().untilAsserted(() -> assertThat(liveProbers()).as("prober threads after close()").isEmpty());
        } finally {
            fakes.forEach(ScriptableClamd::close);
        }
    }

    // ---- helpers ----

    private static void assertNeverAVerdictOnTheMessage(ScanVerdict verdict) {
        assertThat(verdict.status()).as("verdict %s", verdict)
            .isNotIn(ScanVerdict.Status.CLEAN, ScanVerdict.Status.INFECTED, ScanVerdict.Status.SUSPICIOUS);
        assertThat(verdict.names()).isEmpty();
    }

    private static ScanVerdict assertError(ScanVerdict verdict) {
        assertNeverAVerdictOnTheMessage(verdict);
        assertThat(verdict.status()).as("verdict %s", verdict).isEqualTo(ScanVerdict.Status.ERROR);
        assertThat(verdict.reason()).get().asString().doesNotContainPattern("[\\x00-\\x1f\\x7f]");
        return verdict;
    }

    private static int total(ScriptableClamd.Command command, ScriptableClamd... fakes) {
        return Arrays.stream(fakes).mapToInt(fake -> fake.commands(command)).sum();
    }

    /**
     * A message that sends a few chunks and, for each of its first {@code faultyAttempts} attempts, waits
     * until the fakes have carried out one more fault (a reset, a size-limit close) before it sends another
     * megabyte: the client is still streaming when the daemon drops it. Each attempt writes it in full, as a
     * retry must re-read it.
     */
    private static final class StillSending implements MessageContent {
        static final int SIZE = 4 * KIB + 1024 * KIB;
        private final int faultyAttempts;
        private final ScriptableClamd[] fakes;
        final AtomicInteger attempts = new AtomicInteger();

        StillSending(int faultyAttempts, ScriptableClamd... fakes) {
            this.faultyAttempts = faultyAttempts;
            this.fakes = fakes;
        }

        @Override
        public void writeTo(java.io.OutputStream out) throws IOException {
            int attempt = attempts.incrementAndGet();
            byte[] kilobyte = new byte[KIB];
            Arrays.fill(kilobyte, (byte) 'a');
            for (int i = 0; i < 4; i++) {
                out.write(kilobyte);
            }
            if (attempt <= faultyAttempts) {
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                    .until(() -> Arrays.stream(fakes).mapToInt(ScriptableClamd::faults).sum() >= attempt);
            }
            for (int i = 0; i < 1024; i++) {
                out.write(kilobyte);
            }
        }
    }

    /** A message far larger than both socket buffers: a daemon that stops reading blocks its writer. */
    private static MessageContent endless() {
        return out -> {
            byte[] block = new byte[64 * KIB];
            for (int i = 0; i < 4096; i++) { // 256 MiB
                out.write(block);
            }
        };
    }

    static Stream<Arguments> garbageReplies() {
        return Stream.of(
            Arguments.of("binary", new byte[] {(byte) 0xff, 0x01, 'j', 'u', 'n', 'k', 0}),
            Arguments.of("OK with a tail", "stream: OK but not really\0".getBytes(StandardCharsets.US_ASCII)),
            Arguments.of("OK with CR", "stream: OK\r\0".getBytes(StandardCharsets.US_ASCII)),
            Arguments.of("OK with a leading space", " stream: OK\0".getBytes(StandardCharsets.US_ASCII)),
            Arguments.of("FOUND without a name", "stream:  FOUND\0".getBytes(StandardCharsets.US_ASCII)),
            Arguments.of("nothing but the terminator", "\0".getBytes(StandardCharsets.US_ASCII)),
            Arguments.of("8 KiB without a terminator", "A".repeat(9000).getBytes(StandardCharsets.US_ASCII)));
    }

    // ================= ClamdClient: one connection per call =================

    @Test
    void clientConnectionRefusedIsAnError() throws IOException {
        ScriptableClamd clamd = fake();
        clamd.refuse();
        ScanVerdict verdict = assertError(client(clamd).scan(MessageContent.of(WORDS)));
        assertThat(verdict.reason()).get().asString().startsWith("clamd unreachable");
        assertThat(verdict.endpoint()).contains(clamd.endpoint());
        assertThat(clamd.accepted()).isZero();
    }

    @Test
    void clientResetMidStreamIsAnError() throws IOException {
        ScriptableClamd clamd = fake().onScan(resetMidStream());
        StillSending message = new StillSending(1, clamd);
        ScanVerdict verdict = assertError(client(clamd).scan(message));
        assertThat(verdict.reason()).get().asString().startsWith("clamd unreachable");
        assertThat(clamd.faults()).isEqualTo(1);
        assertThat(clamd.commands(INSTREAM)).isEqualTo(1);
        assertThat(message.attempts).hasValue(1);
    }

    @Test
    void clientStalledDaemonIsAnErrorWithinTheReadTimeout() throws IOException {
        ScriptableClamd clamd = fake().onScan(stall());
        long start = System.nanoTime();
        ScanVerdict verdict = assertError(client(clamd).scan(MessageContent.of(WORDS)));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(verdict.reason()).get().asString().isEqualTo("clamd did not answer within 500 ms");
        assertThat(elapsed).isBetween(READ_TIMEOUT.minus(EARLY), READ_TIMEOUT.plus(MARGIN));
        assertThat(clamd.faults()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbageReplies")
    void clientGarbageReplyIsAnError(String name, byte[] reply) throws IOException {
        ScriptableClamd clamd = fake().onScan(garbage(reply));
        assertError(client(clamd).scan(MessageContent.of(WORDS)));
        assertThat(clamd.commands(INSTREAM)).isEqualTo(1);
    }

    @Test
    void clientSessionNumberedReplyOutsideASessionIsAnError() throws IOException {
        ScriptableClamd clamd = fake().onScan(answerNumbered(1, "stream: OK"));
        ScanVerdict verdict = assertError(client(clamd).scan(MessageContent.of(WORDS)));
        assertThat(verdict.reason()).get().asString().contains("1: stream: OK");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "stream: O", "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"})
    void clientPartialReplyIsAnError(String part) throws IOException {
        ScriptableClamd clamd = fake().onScan(partial(part));
        ScanVerdict verdict = assertError(client(clamd).scan(MessageContent.of(WORDS)));
        assertThat(verdict.reason()).get().asString().contains("connection closed");
        assertThat(clamd.faults()).isEqualTo(1);
    }

    @Test
    void clientSizeLimitExceededWhileStillSendingIsUnscannable() throws IOException {
        ScriptableClamd clamd = fake().onScan(sizeLimitExceeded());
        ScanVerdict verdict = client(clamd).scan(new StillSending(1, clamd));
        assertNeverAVerdictOnTheMessage(verdict);
        assertThat(verdict.status()).as("verdict %s", verdict).isEqualTo(ScanVerdict.Status.UNSCANNABLE);
        assertThat(clamd.faults()).isEqualTo(1);
    }

    @Test
    void clientDaemonThatStopsReadingIsAnErrorWithinTheReadTimeout() throws Exception {
        ScriptableClamd clamd = fake().onScan(stopReading());
        ClamdClient client = new ClamdClient(clamd.endpoint(), SHORT, 64 * KIB);
        CompletableFuture<ScanVerdict> scan = CompletableFuture.supplyAsync(() -> client.scan(endless()));
        try {
            assertThat(scan).succeedsWithin(READ_TIMEOUT.plus(MARGIN));
            assertError(scan.get());
        } finally {
            clamd.refuse(); // unblocks the writer: the connection is gone
            eventually().until(scan::isDone);
        }
    }

    // ================= ClamdPool: IDSESSION sessions, failover, prober =================

    @Test
    void poolConnectionRefusedIsAnErrorAndTakesTheEndpointOut() throws IOException {
        ScriptableClamd clamd = fake();
        clamd.refuse();
        pool(clamd);
        ScanVerdict verdict = assertError(pool.scan(MessageContent.of(WORDS)));
        assertThat(verdict.reason()).get().asString().startsWith("clamd unreachable");
        EndpointStats stats = pool.stats().get(0);
        assertThat(stats.available()).isFalse();
        assertThat(stats.calls()).isEqualTo(1);
        assertThat(stats.failures()).isEqualTo(1);
        assertThat(clamd.accepted()).isZero();
    }

    @Test
    void poolResetMidStreamIsAnErrorAndTheSessionIsDropped() throws IOException {
        ScriptableClamd clamd = fake().onScan(resetMidStream());
        pool(clamd);
        StillSending message = new StillSending(1, clamd);
        ScanVerdict verdict = assertError(pool.scan(message));
        assertThat(verdict.reason()).get().asString().startsWith("clamd unreachable");
        EndpointStats stats = pool.stats().get(0);
        assertThat(stats.available()).isFalse();
        assertThat(stats.idle()).as("the dead session is not pooled").isZero();
        assertThat(clamd.commands(INSTREAM)).isEqualTo(1);
        assertThat(message.attempts).as("no other endpoint to retry on").hasValue(1);
    }

    @Test
    void poolStalledDaemonIsAnErrorWithinTheReadTimeout() throws IOException {
        ScriptableClamd clamd = fake().onScan(stall());
        pool(clamd);
        long start = System.nanoTime();
        ScanVerdict verdict = assertError(pool.scan(MessageContent.of(WORDS)));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(verdict.reason()).get().asString().isEqualTo("clamd did not answer within 500 ms");
        assertThat(elapsed).isBetween(READ_TIMEOUT.minus(EARLY), READ_TIMEOUT.plus(MARGIN));
        EndpointStats stats = pool.stats().get(0);
        assertThat(stats.available()).isFalse();
        assertThat(stats.idle()).isZero();
        assertThat(stats.lastFailure()).get().asString().contains("did not answer");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbageReplies")
    void poolGarbageReplyIsAnErrorAndTheNextScanUsesANewSession(String name, byte[] reply) throws IOException {
        ScriptableClamd clamd = fake().onScan(garbage(reply));
        pool(clamd);
        assertError(pool.scan(MessageContent.of(WORDS)));
        assertThat(pool.stats().get(0).idle()).as("the broken session is not pooled").isZero();

        eventually().until(() -> pool.stats().get(0).available());
        assertThat(pool.scan(MessageContent.of(WORDS)).status()).isEqualTo(ScanVerdict.Status.CLEAN);
        assertThat(clamd.commands(IDSESSION)).isEqualTo(2);
    }

    @Test
    void poolNumberedGarbageReplyIsAnError() throws IOException {
        ScriptableClamd clamd = fake().onScan(answerNumbered(1, "stream: OK but not really"), answerNumbered(1, "1: stream: OK"));
        pool(clamd);
        assertError(pool.scan(MessageContent.of(WORDS)));
        assertError(pool.scan(MessageContent.of(WORDS)));
        assertThat(clamd.commands(IDSESSION)).as("each bad reply closed its session").isEqualTo(2);
    }

    @Test
    void poolOutOfTurnSessionReplyIsAnErrorNeverClean() throws IOException {
        ScriptableClamd clamd = fake().onScan(answerNumbered(7, "stream: OK"), answerNumbered(1, "stream: Eicar-Test-Signature FOUND"));
        pool(clamd);
        ScanVerdict first = assertError(pool.scan(MessageContent.of(WORDS)));
        assertThat(first.reason()).get().asString().contains("out of turn").contains("7: stream: OK");
        assertThat(pool.stats().get(0).idle()).isZero();

        // The second reply is for command 1 of a new session: it must not be read as the answer to anything else.
        eventually().until(() -> pool.stats().get(0).available());
        ScanVerdict second = pool.scan(MessageContent.of(WORDS));
        assertThat(second.status()).isEqualTo(ScanVerdict.Status.INFECTED);
        assertThat(clamd.commands(IDSESSION)).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "stream: O", "stream: OK", "stream: Eicar-Test-Signature FOUND"})
    void poolPartialReplyIsAnError(String part) throws IOException {
        ScriptableClamd clamd = fake().onScan(partial(part));
        pool(clamd);
        ScanVerdict verdict = assertError(pool.scan(MessageContent.of(WORDS)));
        assertThat(verdict.reason()).get().asString().contains("connection closed");
        assertThat(pool.stats().get(0).idle()).isZero();
        assertThat(pool.stats().get(0).available()).isFalse();
    }

    @Test
    void poolSizeLimitExceededIsUnscannableAndTheNextScanWorksOnANewSession() throws IOException {
        ScriptableClamd clamd = fake().onScan(sizeLimitExceeded());
        pool(clamd);
        ScanVerdict big = pool.scan(new StillSending(1, clamd));
        assertNeverAVerdictOnTheMessage(big);
        assertThat(big.status()).as("verdict %s", big).isEqualTo(ScanVerdict.Status.UNSCANNABLE);
        EndpointStats afterBig = pool.stats().get(0);
        assertThat(afterBig.available()).as("a size limit is not an endpoint failure").isTrue();
        assertThat(afterBig.failures()).isZero();
        assertThat(afterBig.idle()).as("clamd closed that session").isZero();

        assertThat(pool.scan(MessageContent.of(WORDS)).status()).isEqualTo(ScanVerdict.Status.CLEAN);
        assertThat(clamd.commands(IDSESSION)).isEqualTo(2);
        assertThat(clamd.commands(INSTREAM)).isEqualTo(2);
    }

    @Test
    void poolOneEndpointOfTwoDeadScansOnTheOther() throws IOException {
        ScriptableClamd dead = fake();
        ScriptableClamd alive = fake();
        dead.refuse();
        pool(dead, alive);
        for (int i = 0; i < 5; i++) {
            ScanVerdict verdict = pool.scan(MessageContent.of(WORDS));
            assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.CLEAN);
            assertThat(verdict.endpoint()).contains(alive.endpoint());
        }
        List<EndpointStats> stats = pool.stats();
        assertThat(stats.get(0).available()).isFalse();
        assertThat(stats.get(0).calls()).isEqualTo(1);
        // The scan's own failure, or the background prober's (every 200 ms) when this test ran slower than that.
        assertThat(stats.get(0).lastFailure()).get().asString().containsAnyOf("clamd unreachable", "no answer to PING");
        assertThat(stats.get(1).available()).isTrue();
        assertThat(stats.get(1).calls()).isEqualTo(5);
        assertThat(alive.commands(INSTREAM)).isEqualTo(5);
        assertThat(alive.commands(IDSESSION)).as("one session reused").isEqualTo(1);
    }

    @Test
    void poolEndpointDyingMidStreamIsRetriedOnceOnTheOther() throws IOException {
        ScriptableClamd dying = fake().onScan(resetMidStream());
        ScriptableClamd good = fake();
        pool(dying, good);
        StillSending message = new StillSending(1, dying, good);
        ScanVerdict verdict = pool.scan(message);
        assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.CLEAN);
        assertThat(verdict.endpoint()).contains(good.endpoint());
        assertThat(dying.commands(INSTREAM)).isEqualTo(1);
        assertThat(good.commands(INSTREAM)).isEqualTo(1);
        assertThat(good.bytesStreamed()).as("the whole message re-read for the retry").isEqualTo(StillSending.SIZE);
        assertThat(message.attempts).hasValue(2);
        assertThat(pool.stats().get(0).available()).isFalse();
        assertThat(pool.stats().get(1).available()).isTrue();
    }

    @Test
    void poolRetriesOnlyOnceWhenEveryEndpointDiesMidStream() throws IOException {
        ScriptableClamd a = fake().onScan(resetMidStream());
        ScriptableClamd b = fake().onScan(resetMidStream());
        ScriptableClamd c = fake().onScan(resetMidStream());
        pool(a, b, c);
        StillSending message = new StillSending(2, a, b, c);
        assertError(pool.scan(message));
        assertThat(total(INSTREAM, a, b, c)).isEqualTo(2);
        assertThat(message.attempts).hasValue(2);
        assertThat(pool.stats().stream().filter(EndpointStats::available).count()).isEqualTo(1);
    }

    @Test
    void poolAllEndpointsDeadIsAnErrorNamingThem() throws IOException {
        ScriptableClamd a = fake();
        ScriptableClamd b = fake();
        a.refuse();
        b.refuse();
        pool(a, b);
        assertError(pool.scan(MessageContent.of(WORDS)));
        ScanVerdict none = assertError(pool.scan(MessageContent.of(WORDS)));
        assertThat(none.reason()).get().asString()
            .startsWith("no clamd in service:")
            .contains(a.endpoint() + " (clamd unreachable")
            .contains(b.endpoint() + " (clamd unreachable");
        assertThat(none.endpoint()).isEmpty();
        assertThat(pool.stats()).noneMatch(EndpointStats::available);
    }

    @Test
    void poolEndpointComingBackIsPutBackByTheProberWithoutItsStaleSessions() throws IOException {
        ScriptableClamd a = fake();
        ScriptableClamd b = fake();
        pool(a, b);
        assertThat(pool.scan(MessageContent.of(WORDS)).endpoint()).contains(a.endpoint());
        assertThat(pool.scan(MessageContent.of(WORDS)).endpoint()).contains(b.endpoint());
        assertThat(pool.stats().get(0).idle()).isEqualTo(1);

        a.refuse(); // a dies: its pooled session is now dead
        EndpointStats out = pool.checkEndpoints().get(0);
        assertThat(out.available()).isFalse();
        assertThat(out.idle()).as("the stale session is still pooled while a is out").isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(pool.scan(MessageContent.of(WORDS)).endpoint()).contains(b.endpoint());
        }

        a.restart();
        eventually().until(() -> pool.stats().get(0).available());
        assertThat(pool.stats().get(0).idle()).as("stale sessions dropped before a takes work again").isZero();
        int before = a.commands(INSTREAM);
        for (int i = 0; i < 4; i++) {
            assertThat(pool.scan(MessageContent.of(WORDS)).status()).isEqualTo(ScanVerdict.Status.CLEAN);
        }
        assertThat(a.commands(INSTREAM)).as("a takes scans again").isGreaterThan(before);
        assertThat(a.commands(IDSESSION)).as("on a new session").isEqualTo(2);
        assertThat(pool.stats().get(0).failures()).as("no scan was spent on the stale session").isZero();
    }

    @Test
    void poolBadReplyIsNotRetriedAndLeavesTheEndpointInService() throws IOException {
        ScriptableClamd bad = fake().onScan(answerNumbered(1, "stream: OK but not really"));
        ScriptableClamd other = fake();
        pool(bad, other);
        ScanVerdict verdict = assertError(pool.scan(MessageContent.of(WORDS)));
        assertThat(verdict.endpoint()).contains(bad.endpoint());
        assertThat(other.commands(INSTREAM)).as("another daemon would see the same message").isZero();
        assertThat(pool.stats().get(0).available()).as("one bad reply does not take an endpoint out").isTrue();
        assertThat(pool.stats().get(0).failures()).isEqualTo(1);
    }

    static Stream<Arguments> badRepliesOnASession() {
        return Stream.of(
            Arguments.of("out-of-turn number", "7: stream: OK\0".getBytes(StandardCharsets.US_ASCII)),
            Arguments.of("no number", "stream: OK\0".getBytes(StandardCharsets.US_ASCII)),
            Arguments.of("binary", new byte[] {(byte) 0xff, 0x01, 'j', 'u', 'n', 'k', 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRepliesOnASession")
    void poolOutOfTurnReplyIsABadReplyNotRetriedElsewhere(String name, byte[] reply) throws IOException {
        ScriptableClamd bad = fake().onScan(garbage(reply));
        ScriptableClamd other = fake();
        pool(bad, other);
        ScanVerdict verdict = pool.scan(MessageContent.of(WORDS));
        assertError(verdict);
        assertThat(verdict.endpoint()).contains(bad.endpoint());
        assertThat(other.commands(INSTREAM)).as("another daemon would see the same message").isZero();
        assertThat(pool.stats().get(0).available()).as("one bad reply does not take an endpoint out").isTrue();
    }

    @Test
    void poolMessageSourceFailureIsNotRetriedAndLeavesEndpointsAlone() throws IOException {
        ScriptableClamd a = fake();
        ScriptableClamd b = fake();
        pool(a, b);
        ScanVerdict verdict = assertError(pool.scan(out -> {
            out.write(new byte[4 * KIB]);
            throw new IOException("disk gone");
        }));
        assertThat(verdict.reason()).get().asString().isEqualTo("could not read the message: disk gone");
        assertThat(b.commands(INSTREAM)).isZero();
        assertThat(pool.stats()).allMatch(EndpointStats::available);
        assertThat(pool.stats().get(0).failures()).isZero();
        assertThat(pool.stats().get(0).idle()).as("a half-sent stream is never reused").isZero();
    }

    @Test
    void poolMessageSourceRuntimeFailureIsNotBlamedOnClamd() throws IOException {
        ScriptableClamd a = fake();
        ScriptableClamd b = fake();
        pool(a, b);
        ScanVerdict verdict = assertError(pool.scan(out -> {
            out.write(new byte[4 * KIB]);
            throw new IllegalStateException("MIME tree broken");
        }));
        assertThat(verdict.reason()).get().asString().startsWith("could not read the message");
        assertThat(b.commands(INSTREAM)).as("no retry for the message's own fault").isZero();
        assertThat(pool.stats()).allMatch(EndpointStats::available);
        assertThat(pool.stats().get(0).idle()).as("a half-sent stream is never reused").isZero();
    }

    @Test
    void poolScansDoNotKeepWaitingForAVersionThatNeverComes() throws IOException {
        ScriptableClamd clamd = fake().always(ScriptableClamd.Command.VERSION, stall());
        pool(clamd);
        assertThat(pool.scan(MessageContent.of(WORDS)).status()).isEqualTo(ScanVerdict.Status.CLEAN); // may pay once
        long start = System.nanoTime();
        for (int i = 0; i < 2; i++) {
            assertThat(pool.scan(MessageContent.of(WORDS)).status()).isEqualTo(ScanVerdict.Status.CLEAN);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(clamd.commands(ScriptableClamd.Command.VERSION)).as("VERSION asked again after it failed").isEqualTo(1);
        assertThat(elapsed).as("two scans of a clamd that answers INSTREAM at once").isLessThan(READ_TIMEOUT);
    }

    @Test
    void poolWithNoFreeSessionIsAnErrorAfterTheBorrowTimeoutAndTheEndpointStaysInService() throws Exception {
        ScriptableClamd clamd = fake();
        pool = new ClamdPool(config(clamd).withMaxConnectionsPerEndpoint(1));
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<ScanVerdict> holding = thread.submit(() -> pool.scan(out -> {
                out.write(new byte[4 * KIB]);
                try {
                    if (!release.await(5, TimeUnit.SECONDS)) {
                        throw new IOException("never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                out.write(WORDS);
            }));
            eventually().until(() -> pool.stats().get(0).active() == 1);

            long start = System.nanoTime();
            ScanVerdict verdict = assertError(pool.scan(MessageContent.of(WORDS)));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertThat(verdict.reason()).get().asString()
                .isEqualTo("no connection to clamd at " + clamd.endpoint() + " free within 300 ms");
            assertThat(elapsed).isBetween(BORROW_TIMEOUT.minus(EARLY), BORROW_TIMEOUT.plus(MARGIN));
            assertThat(pool.stats().get(0).available()).as("busy, not broken").isTrue();
            assertThat(pool.stats().get(0).failures()).isZero();

            release.countDown();
            assertThat(holding.get(5, TimeUnit.SECONDS).status()).isEqualTo(ScanVerdict.Status.CLEAN);
            assertThat(clamd.commands(IDSESSION)).isEqualTo(1);
        } finally {
            release.countDown();
            thread.shutdownNow();
            assertThat(thread.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void poolDaemonThatStopsReadingIsAnErrorWithinTheReadTimeout() throws Exception {
        ScriptableClamd clamd = fake().onScan(stopReading());
        pool = new ClamdPool(config(clamd).withChunkSize(64 * KIB));
        CompletableFuture<ScanVerdict> scan = CompletableFuture.supplyAsync(() -> pool.scan(endless()));
        try {
            assertThat(scan).succeedsWithin(READ_TIMEOUT.plus(MARGIN));
            assertError(scan.get());
        } finally {
            clamd.refuse(); // unblocks the writer: the connection is gone
            eventually().until(scan::isDone);
        }
    }
}
