package dev.bulwark.scanner;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * Virus scanning over several clamd daemons through persistent IDSESSION connections.
 *
 * <ul>
 *   <li>Each endpoint has its own Commons Pool: at most {@code maxConnectionsPerEndpoint} sessions, a
 *   bounded wait to borrow one, validation (PING) of sessions idle for over a second, idle eviction.</li>
 *   <li>A scan goes to the least-loaded endpoint in service, load being scans in flight divided by
 *   weight; ties rotate.</li>
 *   <li>A dead connection (refused, reset, stalled, closed mid-reply) takes the endpoint out and the scan
 *   is retried once on another endpoint; a background prober PINGs endpoints that are out and puts them
 *   back when they answer.</li>
 *   <li>No verdict is ever guessed: when nothing could scan, the verdict is ERROR with the reason.</li>
 * </ul>
 */
public final class ClamdPool implements VirusScanner, AutoCloseable {
    private static final Duration VALIDATE_AFTER_IDLE = Duration.ofSeconds(1);

    private final ClamdPoolConfig config;
    private final DynamicMembers<Member> members;
    private final EndpointProber prober;
    private final AtomicInteger rotation = new AtomicInteger();
    private final ScanTimer timer;

    /** One endpoint: its sessions, its health and its counters. */
    private static final class Member {
        final WeightedEndpoint endpoint;
        final ClamdClient client;
        final GenericObjectPool<ClamdSession> sessions;
        final EndpointHealth health;
        final AtomicInteger inFlight = new AtomicInteger();
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();

        Member(WeightedEndpoint endpoint, ClamdPoolConfig config) {
            this.endpoint = endpoint;
            this.client = new ClamdClient(endpoint.endpoint(), config.timeouts(), config.chunkSize());
            this.health = new EndpointHealth("clamd at " + endpoint.endpoint());
            this.sessions = new GenericObjectPool<>(new SessionFactory(endpoint.endpoint(), config.timeouts()), poolConfig(config));
        }

        double load() {
            return (inFlight.get() + 1) / (double) endpoint.weight();
        }

        void failed(String reason, boolean connectionDied) {
            failures.increment();
            if (connectionDied) {
                health.down(reason);
            } else {
                health.badReply(reason);
            }
        }
    }

    public ClamdPool(ClamdPoolConfig config) {
        this(config, ScanTimer.NONE);
    }

    /** @param timer times every scan exchange, per endpoint */
    public ClamdPool(ClamdPoolConfig config, ScanTimer timer) {
        this(config, timer, EndpointDiscovery.NONE);
    }

    /** @param discovery how endpoints given by host name are followed */
    public ClamdPool(ClamdPoolConfig config, ScanTimer timer, EndpointDiscovery discovery) {
        this.config = config;
        this.timer = timer;
        IntegrityProbe admission = new IntegrityProbe(Duration.ofDays(36500), java.time.Clock.systemUTC());
        this.members = new DynamicMembers<>("clamd", config.endpoints(), discovery, new DynamicMembers.Kind<>() {
            @Override
            public Member create(WeightedEndpoint endpoint) {
                return new Member(endpoint, config);
            }

            @Override
            public Endpoint endpointOf(Member member) {
                return member.endpoint.endpoint();
            }

            @Override
            public Optional<String> admissionProblem(Member member) {
                ScannerState state = admission.check(member.client);
                return state.condition().usable() ? Optional.empty() : Optional.of(state.reason());
            }

            @Override
            public void retire(Member member) {
                // Idle sessions close now; lent ones when their scan returns them.
                member.sessions.close();
            }
        });
        this.prober = new EndpointProber("bulwark-clamd-prober", config.probeInterval(), () -> members.current().stream()
            .map(member -> new EndpointProber.Target(member.health, member.client::ping, member.sessions::clear))
            .toList());
    }

    public ClamdPoolConfig config() {
        return config;
    }

    /** One-shot clients for each endpoint, for PING, VERSION and STATS outside the pool. */
    public List<ClamdClient> clients() {
        return members.current().stream().map(member -> member.client).toList();
    }

    @Override
    public ScanVerdict scan(MessageContent content) {
        return scanOnAnEndpoint(content);
    }

    /** Scans a message of known size: one larger than {@code maxStreamSize} is UNSCANNABLE without being sent. */
    @Override
    public ScanVerdict scan(MessageContent content, long size) {
        if (size > config.maxStreamSize()) {
            return ScanVerdict.unscannable("message of " + size + " bytes is over clamd's stream limit of "
                + config.maxStreamSize() + " bytes", null);
        }
        return scanOnAnEndpoint(content);
    }

    @Override
    public long maxStreamSize() {
        return config.maxStreamSize();
    }

    private ScanVerdict scanOnAnEndpoint(MessageContent content) {
        Set<Member> tried = new HashSet<>();
        Optional<Member> first = choose(tried);
        if (first.isEmpty()) {
            return noEndpoint();
        }
        tried.add(first.get());
        Attempt attempt = attempt(first.get(), content);
        if (!attempt.connectionDied()) {
            return attempt.verdict();
        }
        // The endpoint died under this scan: once more elsewhere, if anywhere.
        Optional<Member> second = choose(tried);
        return second.map(member -> attempt(member, content).verdict()).orElse(attempt.verdict());
    }

    private record Attempt(ScanVerdict verdict, boolean connectionDied) {
    }

    private Attempt attempt(Member member, MessageContent content) {
        Endpoint endpoint = member.endpoint.endpoint();
        member.inFlight.incrementAndGet();
        member.calls.increment();
        ClamdSession session = null;
        try {
            session = member.sessions.borrowObject(config.borrowTimeout());
            ScanTimer.Running timing = timer.start("clamd", endpoint);
            ScanVerdict verdict;
            try {
                verdict = session.scan(content, config.chunkSize());
            } finally {
                timing.stop();
            }
            if (verdict.status() == ScanVerdict.Status.ERROR) {
                member.failed(verdict.reason().orElse("bad reply"), false);
                return new Attempt(verdict, false);
            }
            member.health.succeeded();
            return new Attempt(member.client.currentVersion().map(v -> verdict.withEngine(v.toString())).orElse(verdict), false);
        } catch (NoSuchElementException exhausted) {
            return new Attempt(ScanVerdict.error("no connection to clamd at " + endpoint + " free within "
                + config.borrowTimeout().toMillis() + " ms", endpoint), false);
        } catch (MessageReadException e) {
            return new Attempt(ScanVerdict.error("could not read the message: " + e.getMessage(), endpoint), false);
        } catch (BadReplyException e) {
            String reason = "bad reply from clamd: " + e.getMessage();
            member.failed(reason, false);
            return new Attempt(ScanVerdict.error(reason, endpoint), false);
        } catch (java.net.SocketTimeoutException e) {
            String reason = "clamd did not answer within " + config.timeouts().read().toMillis() + " ms";
            member.failed(reason, true);
            return new Attempt(ScanVerdict.error(reason, endpoint), true);
        } catch (Exception e) {
            String reason = "clamd unreachable: " + e.getMessage();
            member.failed(reason, true);
            return new Attempt(ScanVerdict.error(reason, endpoint), true);
        } finally {
            release(member, session);
            member.inFlight.decrementAndGet();
        }
    }

    private static void release(Member member, ClamdSession session) {
        if (session == null) {
            return;
        }
        if (session.isBroken()) {
            try {
                member.sessions.invalidateObject(session);
            } catch (Exception ignored) {
                // Invalidation closes the session; nothing more can be done.
            }
        } else {
            member.sessions.returnObject(session);
        }
    }

    private Optional<Member> choose(Set<Member> excluded) {
        List<Member> members = this.members.current();
        int count = members.size();
        if (count == 0) {
            return Optional.empty();
        }
        int start = Math.floorMod(rotation.getAndIncrement(), count);
        Member best = null;
        for (int i = 0; i < count; i++) {
            Member candidate = members.get((start + i) % count);
            if (excluded.contains(candidate) || !candidate.health.isAvailable()) {
                continue;
            }
            if (best == null || candidate.load() < best.load()) {
                best = candidate;
            }
        }
        return Optional.ofNullable(best);
    }

    private ScanVerdict noEndpoint() {
        StringBuilder reasons = new StringBuilder("no clamd in service:");
        members.current().forEach(member -> reasons.append(' ').append(member.endpoint.endpoint()).append(" (")
            .append(member.health.lastFailure()).append(')'));
        return ScanVerdict.error(reasons.toString(), null);
    }

    /** Resolves the endpoints given by host name again now, as the discovery thread does every interval. */
    public void refreshEndpoints() {
        members.refresh();
    }

    /** Connection counts and health per endpoint, in configuration order (addresses joined later last). */
    public List<EndpointStats> stats() {
        return members.current().stream()
            .map(member -> new EndpointStats(member.endpoint, member.health.isAvailable(), member.sessions.getNumActive(),
                member.sessions.getNumIdle(), member.calls.sum(), member.failures.sum(), Optional.ofNullable(member.health.lastFailure())))
            .toList();
    }

    /** PINGs every endpoint now, taking out those that do not answer and putting back those that do. */
    public List<EndpointStats> checkEndpoints() {
        prober.probe(true);
        return stats();
    }

    /**
     * The integrity watch's finding: an endpoint that answers but failed its self-test (it would call
     * everything clean) takes no mail until a later self-test passes. Unknown endpoints are ignored.
     */
    public void selfTestFailed(Endpoint endpoint, String reason) {
        members.current().stream().filter(member -> member.endpoint.endpoint().equals(endpoint)).forEach(member -> member.health.selfTestFailed(reason));
    }

    public void selfTestPassed(Endpoint endpoint) {
        members.current().stream().filter(member -> member.endpoint.endpoint().equals(endpoint)).forEach(member -> member.health.selfTestPassed());
    }

    @Override
    public void close() {
        prober.close();
        members.close();
    }

    private static GenericObjectPoolConfig<ClamdSession> poolConfig(ClamdPoolConfig config) {
        GenericObjectPoolConfig<ClamdSession> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.maxConnectionsPerEndpoint());
        pool.setMaxIdle(config.maxConnectionsPerEndpoint());
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(config.borrowTimeout());
        pool.setTestOnBorrow(true);
        pool.setTestOnReturn(false);
        pool.setLifo(true);
        pool.setMinEvictableIdleTime(config.idleTimeout());
        pool.setTimeBetweenEvictionRuns(config.idleTimeout().dividedBy(2));
        pool.setNumTestsPerEvictionRun(config.maxConnectionsPerEndpoint());
        pool.setJmxEnabled(false);
        return pool;
    }

    /** Opens IDSESSION connections; validates a lent session with PING only when it sat idle a while. */
    private static final class SessionFactory extends BasePooledObjectFactory<ClamdSession> {
        private final Endpoint endpoint;
        private final ScannerTimeouts timeouts;

        SessionFactory(Endpoint endpoint, ScannerTimeouts timeouts) {
            this.endpoint = endpoint;
            this.timeouts = timeouts;
        }

        @Override
        public ClamdSession create() throws IOException {
            return ClamdSession.open(endpoint, timeouts);
        }

        @Override
        public PooledObject<ClamdSession> wrap(ClamdSession session) {
            return new DefaultPooledObject<>(session);
        }

        @Override
        public boolean validateObject(PooledObject<ClamdSession> pooled) {
            ClamdSession session = pooled.getObject();
            if (session.isBroken()) {
                return false;
            }
            if (pooled.getIdleDuration().compareTo(VALIDATE_AFTER_IDLE) < 0) {
                return true;
            }
            try {
                session.ping();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void destroyObject(PooledObject<ClamdSession> pooled) {
            pooled.getObject().close();
        }
    }
}
