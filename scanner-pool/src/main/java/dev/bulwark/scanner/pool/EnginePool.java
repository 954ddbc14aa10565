package dev.bulwark.scanner.pool;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.integrity.IntegrityProbe;
import dev.bulwark.scanner.integrity.ProbeTarget;
import dev.bulwark.scanner.integrity.ScannerState;

/**
 * The engine-pool core: one engine's endpoints and everything about them that is not protocol. It keeps
 * the members (one per address, host names followed by {@link EndpointDiscovery}; a new address is admitted
 * only after PING and its self-test), their health (a dead connection takes an endpoint out at once, bad
 * replies when half of the last five calls were bad; only the background prober, {@code bulwark-<daemon>-prober},
 * puts it back), the integrity watch's self-test marks, their counters, and the choice of endpoint for each
 * request ({@link PoolSettings.Dispatch}). The engine plugs in an {@link EndpointLink} per endpoint, which
 * carries out one request in its protocol. No verdict is ever guessed: when nothing could answer, the
 * verdict is the engine kind's ERROR with the reason.
 *
 * @param <C> the engine's one-shot client: PING, self-test, and whatever else callers ask it
 * @param <Q> a request
 * @param <V> the verdict
 */
public final class EnginePool<C extends ProbeTarget, Q, V> implements AutoCloseable {
    /** Admission asks for a working self-test, not fresh signatures: the integrity watch judges their age. */
    private static final Duration ANY_SIGNATURE_AGE = Duration.ofDays(36500);

    private final PoolSettings settings;
    private final EngineKind<V> kind;
    private final ScanTimer timer;
    private final DynamicMembers<Member> members;
    private final EndpointProber prober;
    private final AtomicInteger rotation = new AtomicInteger();

    /** One endpoint: the engine's link to it, its health and its counters. */
    private final class Member implements EndpointLink.Tally {
        final WeightedEndpoint endpoint;
        final EndpointLink<C, Q, V> link;
        final EndpointHealth health;
        final AtomicInteger inFlight = new AtomicInteger();
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();

        Member(WeightedEndpoint endpoint, EndpointLink<C, Q, V> link) {
            this.endpoint = endpoint;
            this.link = link;
            this.health = new EndpointHealth(settings.daemon() + " at " + endpoint.endpoint());
        }

        double load() {
            return (inFlight.get() + 1) / (double) endpoint.weight();
        }

        EndpointLink.Attempt<V> attempt(Q request) {
            inFlight.incrementAndGet();
            try {
                return link.attempt(request, this);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public Endpoint endpoint() {
            return endpoint.endpoint();
        }

        @Override
        public void called() {
            calls.increment();
        }

        @Override
        public ScanTimer.Running startTimer() {
            return timer.start(settings.daemon(), endpoint.endpoint());
        }

        @Override
        public void answered() {
            health.succeeded();
        }

        @Override
        public void badReply(String reason) {
            failures.increment();
            health.badReply(reason);
        }

        @Override
        public void died(String reason) {
            failures.increment();
            health.down(reason);
        }
    }

    /**
     * @param links     the engine's link to one endpoint, made when the endpoint joins (at start, or when
     *                  discovery finds a new address; then admitted only if its client passes PING and self-test)
     * @param timer     times every exchange, per endpoint
     * @param discovery how endpoints given by host name are followed
     */
    public EnginePool(PoolSettings settings, EngineKind<V> kind, Function<WeightedEndpoint, EndpointLink<C, Q, V>> links,
                      ScanTimer timer, EndpointDiscovery discovery) {
        this.settings = settings;
        this.kind = kind;
        this.timer = timer;
        IntegrityProbe admission = new IntegrityProbe(ANY_SIGNATURE_AGE, Clock.systemUTC());
        this.members = new DynamicMembers<>(settings.daemon(), settings.endpoints(), discovery, new DynamicMembers.Kind<>() {
            @Override
            public Member create(WeightedEndpoint endpoint) {
                return new Member(endpoint, links.apply(endpoint));
            }

            @Override
            public Endpoint endpointOf(Member member) {
                return member.endpoint.endpoint();
            }

            @Override
            public Optional<String> admissionProblem(Member member) {
                ScannerState state = admission.check(member.link.client());
                return state.condition().usable() ? Optional.empty() : Optional.of(state.reason());
            }

            @Override
            public void retire(Member member) {
                member.link.close();
            }
        });
        this.prober = new EndpointProber("bulwark-" + settings.daemon() + "-prober", settings.probeInterval(), () -> members.current().stream()
            .map(member -> new EndpointProber.Target(member.health, member.link.client()::ping, member.link::dropIdle))
            .toList());
    }

    /** {@code clamd}, {@code spamd}. */
    public String daemon() {
        return settings.daemon();
    }

    public EngineKind<V> kind() {
        return kind;
    }

    /**
     * Sends the request to an endpoint in service, as the dispatch says; an endpoint that could not take it
     * passes it on. ERROR when no endpoint could answer, with the reason.
     */
    public V call(Q request) {
        return switch (settings.dispatch()) {
            case LEAST_LOADED -> leastLoaded(request);
            case IN_ORDER -> inOrder(request);
        };
    }

    private V leastLoaded(Q request) {
        Set<Member> tried = new HashSet<>();
        Optional<Member> first = choose(tried);
        if (first.isEmpty()) {
            return noEndpoint();
        }
        tried.add(first.get());
        EndpointLink.Attempt<V> attempt = first.get().attempt(request);
        if (!attempt.tryElsewhere()) {
            return attempt.verdict();
        }
        // The endpoint could not take it: once more elsewhere, if anywhere.
        Optional<Member> second = choose(tried);
        return second.map(member -> member.attempt(request).verdict()).orElse(attempt.verdict());
    }

    private V inOrder(Q request) {
        V fallback = null;
        for (Member member : members.current()) {
            if (!member.health.isAvailable()) {
                continue;
            }
            EndpointLink.Attempt<V> attempt = member.attempt(request);
            if (!attempt.tryElsewhere()) {
                return attempt.verdict();
            }
            fallback = attempt.verdict();
        }
        return fallback != null ? fallback : noEndpoint();
    }

    private Optional<Member> choose(Set<Member> excluded) {
        List<Member> current = members.current();
        int count = current.size();
        if (count == 0) {
            return Optional.empty();
        }
        int start = Math.floorMod(rotation.getAndIncrement(), count);
        Member best = null;
        for (int i = 0; i < count; i++) {
            Member candidate = current.get((start + i) % count);
            if (excluded.contains(candidate) || !candidate.health.isAvailable()) {
                continue;
            }
            if (best == null || candidate.load() < best.load()) {
                best = candidate;
            }
        }
        return Optional.ofNullable(best);
    }

    private V noEndpoint() {
        StringBuilder reasons = new StringBuilder("no " + settings.daemon() + " in service:");
        members.current().forEach(member -> reasons.append(' ').append(member.endpoint.endpoint()).append(" (")
            .append(member.health.lastFailure()).append(')'));
        return kind.error(reasons.toString(), null);
    }

    /** Each endpoint's one-shot client, for PING, self-tests and engine-specific questions outside the pool. */
    public List<C> clients() {
        return members.current().stream().map(member -> member.link.client()).toList();
    }

    /** Resolves the endpoints given by host name again now, as the discovery thread does every interval. */
    public void refreshEndpoints() {
        members.refresh();
    }

    /** Connection counts and health per endpoint, in configuration order (addresses joined later last). */
    public List<EndpointStats> stats() {
        return members.current().stream()
            .map(member -> new EndpointStats(member.endpoint, member.health.isAvailable(), member.link.active(), member.link.idle(),
                member.calls.sum(), member.failures.sum(), Optional.ofNullable(member.health.lastFailure())))
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
        members.current().stream().filter(member -> member.endpoint.endpoint().equals(endpoint))
            .forEach(member -> member.health.selfTestFailed(reason));
    }

    public void selfTestPassed(Endpoint endpoint) {
        members.current().stream().filter(member -> member.endpoint.endpoint().equals(endpoint))
            .forEach(member -> member.health.selfTestPassed());
    }

    @Override
    public void close() {
        prober.close();
        members.close();
    }
}
