package dev.bulwark.scanner.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.integrity.ProbeTarget;
import dev.bulwark.scanner.integrity.SelfTest;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.SpamVerdict;

/**
 * The engine-pool core on its own, with two fake engines whose clients and links are scripted per endpoint
 * (no sockets): dispatch, health transitions, self-test marks, admission of discovered addresses, counters,
 * and a spam engine plugged in through {@link SlotLink} as a new engine would be.
 */
class EnginePoolTest {
    private static final Endpoint A = new Endpoint("10.0.0.1", 3310);
    private static final Endpoint B = new Endpoint("10.0.0.2", 3310);
    private static final Duration PROBE_INTERVAL = Duration.ofHours(1); // probes run only when a test asks

    /** What each fake endpoint does, by address: changed by the tests while the pool runs. */
    private final Map<Endpoint, Script> scripts = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private EnginePool<FakeClient, String, ScanVerdict> pool;

    private enum Reply {
        ANSWER, DIE, BAD_REPLY, BUSY
    }

    /** One fake daemon: whether it answers PING, whether it detects EICAR, how it treats a request. */
    private static final class Script {
        volatile boolean answersPing = true;
        volatile boolean detects = true;
        volatile Reply reply = Reply.ANSWER;
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger droppedIdle = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
    }

    /** A virus engine's one-shot client: PING, and the EICAR self-test through its scan. */
    private final class FakeClient implements ProbeTarget {
        private final Endpoint endpoint;

        FakeClient(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        private Script script() {
            return scripts.computeIfAbsent(endpoint, e -> new Script());
        }

        @Override
        public String daemon() {
            return "fakeav";
        }

        @Override
        public Endpoint endpoint() {
            return endpoint;
        }

        @Override
        public void ping() throws IOException {
            if (!script().answersPing) {
                throw new IOException("connection refused");
            }
        }

        @Override
        public SelfTest selfTest() {
            return new SelfTest.Eicar(content -> script().detects ? ScanVerdict.infected(List.of("Eicar"), endpoint) : ScanVerdict.clean(endpoint));
        }
    }

    /** The protocol part: does what the endpoint's script says and reports it to the core. */
    private final class FakeLink implements EndpointLink<FakeClient, String, ScanVerdict> {
        private final FakeClient client;

        FakeLink(WeightedEndpoint endpoint) {
            this.client = new FakeClient(endpoint.endpoint());
        }

        @Override
        public FakeClient client() {
            return client;
        }

        @Override
        public Attempt<ScanVerdict> attempt(String request, Tally tally) {
            Script script = client.script();
            script.requests.incrementAndGet();
            if (script.reply == Reply.BUSY) {
                return Attempt.elsewhere(ScanVerdict.error("busy", tally.endpoint()));
            }
            tally.called();
            ScanTimer.Running timing = tally.startTimer();
            try {
                return switch (script.reply) {
                    case ANSWER -> {
                        tally.answered();
                        yield Attempt.done(ScanVerdict.clean(tally.endpoint()));
                    }
                    case DIE -> {
                        tally.died("reset by peer");
                        yield Attempt.elsewhere(ScanVerdict.error("reset by peer", tally.endpoint()));
                    }
                    default -> {
                        tally.badReply("garbage");
                        yield Attempt.done(ScanVerdict.error("garbage", tally.endpoint()));
                    }
                };
            } finally {
                timing.stop();
            }
        }

        @Override
        public void dropIdle() {
            client.script().droppedIdle.incrementAndGet();
        }

        @Override
        public void close() {
            client.script().closed.incrementAndGet();
        }
    }

    private Script script(Endpoint endpoint) {
        return scripts.computeIfAbsent(endpoint, e -> new Script());
    }

    private EnginePool<FakeClient, String, ScanVerdict> pool(PoolSettings.Dispatch dispatch, Endpoint... endpoints) {
        return pool(dispatch, EndpointDiscovery.NONE, List.of(endpoints).stream().map(e -> new WeightedEndpoint(e, 1)).toList());
    }

    private EnginePool<FakeClient, String, ScanVerdict> pool(PoolSettings.Dispatch dispatch, EndpointDiscovery discovery, List<WeightedEndpoint> endpoints) {
        pool = new EnginePool<>(new PoolSettings("fakeav", endpoints, dispatch, PROBE_INTERVAL), EngineKind.VIRUS, FakeLink::new,
            (daemon, endpoint) -> {
                events.add("timing " + daemon + " " + endpoint);
                return () -> { };
            }, discovery);
        return pool;
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.isAlive() && thread.getName().startsWith("bulwark-fakeav-")));
        }
    }

    private EndpointStats stats(Endpoint endpoint) {
        return pool.stats().stream().filter(s -> s.endpoint().endpoint().equals(endpoint)).findFirst().orElseThrow();
    }

    @Test
    void leastLoadedRetriesOnceElsewhereWhenTheConnectionDiesAndTakesTheDeadEndpointOut() {
        script(A).reply = Reply.DIE;
        pool(PoolSettings.Dispatch.LEAST_LOADED, A, B);

        for (int i = 0; i < 4; i++) {
            ScanVerdict verdict = pool.call("message");
            assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.CLEAN);
            assertThat(verdict.endpoint()).contains(B);
        }

        assertThat(script(A).requests).hasValue(1);
        assertThat(stats(A).available()).isFalse();
        assertThat(stats(A).calls()).isEqualTo(1);
        assertThat(stats(A).failures()).isEqualTo(1);
        assertThat(stats(A).lastFailure()).contains("reset by peer");
        assertThat(stats(B).calls()).isEqualTo(4);
        assertThat(events).contains("timing fakeav " + A, "timing fakeav " + B);
    }

    @Test
    void leastLoadedDoesNotRetryABadReply() {
        script(A).reply = Reply.BAD_REPLY;
        script(B).reply = Reply.BAD_REPLY;
        pool(PoolSettings.Dispatch.LEAST_LOADED, A, B);

        ScanVerdict verdict = pool.call("message");

        assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.ERROR);
        assertThat(verdict.reason()).contains("garbage");
        assertThat(script(A).requests.get() + script(B).requests.get()).isEqualTo(1);
    }

    @Test
    void badRepliesTakeAnEndpointOutOnlyWhenHalfOfTheLastCallsWereBad() {
        pool(PoolSettings.Dispatch.IN_ORDER, A);
        script(A).reply = Reply.BAD_REPLY;
        pool.call("message");
        pool.call("message");
        assertThat(stats(A).available()).as("two calls are too few to judge").isTrue();

        pool.call("message");

        assertThat(stats(A).available()).isFalse();
        assertThat(stats(A).failures()).isEqualTo(3);
        assertThat(pool.call("message").reason()).contains("no fakeav in service: " + A + " (garbage)");
    }

    @Test
    void inOrderPassesABusyOrDeadEndpointsRequestToTheNextAndOnlyTheDeadOneGoesOut() {
        script(A).reply = Reply.BUSY;
        pool(PoolSettings.Dispatch.IN_ORDER, A, B);

        assertThat(pool.call("message").endpoint()).contains(B);
        assertThat(stats(A).available()).as("busy is not broken").isTrue();
        assertThat(stats(A).calls()).as("nothing was sent to it").isZero();

        script(A).reply = Reply.DIE;
        assertThat(pool.call("message").endpoint()).contains(B);
        assertThat(stats(A).available()).isFalse();

        script(B).reply = Reply.DIE;
        ScanVerdict none = pool.call("message");
        assertThat(none.status()).isEqualTo(ScanVerdict.Status.ERROR);
        assertThat(none.reason()).contains("reset by peer");
        assertThat(pool.call("message").reason()).get().asString().startsWith("no fakeav in service: " + A + " (reset by peer) " + B);
    }

    @Test
    void onlyAProbeThatIsAnsweredPutsAnEndpointBackAndItsStaleConnectionsGoFirst() {
        script(A).reply = Reply.DIE;
        pool(PoolSettings.Dispatch.IN_ORDER, A);
        pool.call("message");
        assertThat(stats(A).available()).isFalse();

        script(A).answersPing = false;
        assertThat(pool.checkEndpoints()).singleElement().satisfies(s -> {
            assertThat(s.available()).isFalse();
            assertThat(s.lastFailure()).get().asString().startsWith("no answer to PING: connection refused");
        });
        assertThat(script(A).droppedIdle).hasValue(0);

        script(A).answersPing = true;
        script(A).reply = Reply.ANSWER;
        assertThat(pool.checkEndpoints()).singleElement().satisfies(s -> assertThat(s.available()).isTrue());
        assertThat(script(A).droppedIdle).hasValue(1);
        assertThat(pool.call("message").status()).isEqualTo(ScanVerdict.Status.CLEAN);
    }

    @Test
    void aFailedSelfTestKeepsAnAnsweringEndpointOutUntilASelfTestPasses() {
        pool(PoolSettings.Dispatch.LEAST_LOADED, A, B);

        pool.selfTestFailed(A, "self-test failed: the EICAR test file scanned CLEAN");
        for (int i = 0; i < 4; i++) {
            assertThat(pool.call("message").endpoint()).contains(B);
        }
        assertThat(pool.checkEndpoints()).as("PING answers, yet it stays out").filteredOn(s -> s.endpoint().endpoint().equals(A))
            .singleElement().satisfies(s -> {
                assertThat(s.available()).isFalse();
                assertThat(s.lastFailure()).contains("self-test failed: the EICAR test file scanned CLEAN");
            });

        pool.selfTestFailed(new Endpoint("10.9.9.9", 3310), "unknown endpoints are ignored");
        pool.selfTestPassed(A);

        assertThat(stats(A).available()).isTrue();
        assertThat(script(A).requests).hasValue(0);
        pool.call("message");
        pool.call("message");
        assertThat(script(A).requests).as("it takes work again").hasPositiveValue();
    }

    @Test
    void aDiscoveredAddressJoinsOnlyAfterPingAndItsSelfTest() {
        AtomicReference<List<String>> dns = new AtomicReference<>(List.of(A.host()));
        EndpointDiscovery discovery = new EndpointDiscovery(Duration.ofHours(1), host -> dns.get(), new EndpointDiscovery.Listener() {
            @Override
            public void joined(String daemon, Endpoint endpoint, String name) {
                events.add("joined " + daemon + " " + endpoint + " from " + name);
            }

            @Override
            public void left(String daemon, Endpoint endpoint, String name) {
                events.add("left " + daemon + " " + endpoint);
            }

            @Override
            public void refused(String daemon, Endpoint endpoint, String name, String reason) {
                events.add("refused " + daemon + " " + endpoint + ": " + reason);
            }
        });
        pool(PoolSettings.Dispatch.LEAST_LOADED, discovery, List.of(new WeightedEndpoint(new Endpoint("av.example", 3310), 2)));
        assertThat(pool.clients()).extracting(FakeClient::endpoint).containsExactly(A);

        script(B).detects = false;
        dns.set(List.of(A.host(), B.host()));
        pool.refreshEndpoints();
        assertThat(pool.clients()).extracting(FakeClient::endpoint).containsExactly(A);
        assertThat(events).containsExactly("refused fakeav " + B
            + ": self-test failed: the EICAR test file scanned CLEAN (signatures missing or not loaded)");
        assertThat(script(B).closed).as("a refused candidate's link is closed").hasValue(1);

        script(B).detects = true;
        pool.refreshEndpoints();
        assertThat(pool.stats()).extracting(EndpointStats::endpoint)
            .containsExactly(new WeightedEndpoint(A, 2), new WeightedEndpoint(B, 2));
        assertThat(events).endsWith("joined fakeav " + B + " from av.example");

        dns.set(List.of(B.host()));
        pool.refreshEndpoints();
        assertThat(pool.clients()).extracting(FakeClient::endpoint).containsExactly(B);
        assertThat(events).endsWith("left fakeav " + A);
        assertThat(script(A).closed).as("a member that left is retired").hasValue(1);
    }

    @Test
    void closingRetiresEveryMember() {
        pool(PoolSettings.Dispatch.LEAST_LOADED, A, B);
        pool.close();
        assertThat(script(A).closed).hasValue(1);
        assertThat(script(B).closed).hasValue(1);
    }

    /** A spam engine as a new one would be plugged in: a one-shot client with a GTUBE self-test, a slot link, SPAM verdicts. */
    @Test
    void aSpamEngineIsAClientAndASlotLink() throws Exception {
        Map<Endpoint, AtomicReference<Object>> answers = new ConcurrentHashMap<>();
        answers.put(A, new AtomicReference<>(new java.net.SocketTimeoutException("deadline passed")));
        answers.put(B, new AtomicReference<>(SpamVerdict.scored(true, 1000, 15, List.of("GTUBE"), B)));
        class FakeSpamClient implements ProbeTarget {
            final Endpoint endpoint;

            FakeSpamClient(Endpoint endpoint) {
                this.endpoint = endpoint;
            }

            SpamVerdict check(MessageContent content) throws IOException {
                Object answer = answers.get(endpoint).get();
                if (answer instanceof IOException e) {
                    throw e;
                }
                return (SpamVerdict) answer;
            }

            @Override
            public String daemon() {
                return "fakespam";
            }

            @Override
            public Endpoint endpoint() {
                return endpoint;
            }

            @Override
            public void ping() {
            }

            @Override
            public SelfTest selfTest() {
                return new SelfTest.Gtube((content, user, context) -> {
                    try {
                        return check(content);
                    } catch (IOException e) {
                        return SpamVerdict.error(e.getMessage(), endpoint);
                    }
                });
            }
        }
        try (EnginePool<FakeSpamClient, MessageContent, SpamVerdict> spam = new EnginePool<>(
                new PoolSettings("fakespam", List.of(new WeightedEndpoint(A, 1), new WeightedEndpoint(B, 1)), PoolSettings.Dispatch.IN_ORDER,
                    PROBE_INTERVAL),
                EngineKind.SPAM, endpoint -> {
                    FakeSpamClient client = new FakeSpamClient(endpoint.endpoint());
                    return new SlotLink<>(EngineKind.SPAM, client, client::check, 2, Duration.ofMillis(100), Duration.ofMillis(500));
                }, ScanTimer.NONE, EndpointDiscovery.NONE)) {
            SpamVerdict verdict = spam.call(MessageContent.of(new byte[0]));

            assertThat(verdict.isSpam()).isTrue();
            assertThat(verdict.endpoint()).contains(B);
            assertThat(spam.stats().get(0).available()).isFalse();
            assertThat(spam.stats().get(0).lastFailure()).contains("fakespam did not answer within 500 ms");
            assertThat(spam.stats()).allSatisfy(s -> assertThat(s.active()).isZero());

            answers.get(B).set(SpamVerdict.scored(false, 0, 15, List.of(), B));
            assertThat(new dev.bulwark.scanner.integrity.IntegrityProbe(Duration.ofDays(1), java.time.Clock.systemUTC())
                .check(spam.clients().get(1)).reason()).startsWith("self-test failed: the GTUBE test mail was not spam (HAM");
            assertThat(spam.kind()).isSameAs(EngineKind.SPAM);
            assertThat(Optional.of(spam.daemon())).contains("fakespam");
        }
    }
}
