package dev.bulwark.scanner;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Spam checks over several spamd daemons with failover: the first endpoint in service with a free
 * slot takes the check; a dead connection takes that endpoint out and the check goes to the next one.
 * A semaphore per endpoint caps checks in flight (spamd forks a child per connection and queues the
 * rest). Endpoints taken out are PINGed in the background and put back when they answer.
 */
public final class SpamdPool implements SpamChecker, AutoCloseable {
    private final SpamdPoolConfig config;
    private final ScanTimer timer;
    private final DynamicMembers<Member> members;
    private final EndpointProber prober;

    private static final class Member {
        final Endpoint endpoint;
        final SpamdClient client;
        final Semaphore slots;
        final EndpointHealth health;
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();

        Member(Endpoint endpoint, SpamdPoolConfig config) {
            this.endpoint = endpoint;
            this.client = new SpamdClient(endpoint, config.client());
            this.slots = new Semaphore(config.maxConnectionsPerEndpoint(), true);
            this.health = new EndpointHealth("spamd at " + endpoint);
        }
    }

    public SpamdPool(SpamdPoolConfig config) {
        this(config, ScanTimer.NONE);
    }

    /** @param timer times every check exchange, per endpoint */
    public SpamdPool(SpamdPoolConfig config, ScanTimer timer) {
        this(config, timer, EndpointDiscovery.NONE);
    }

    /** @param discovery how endpoints given by host name are followed */
    public SpamdPool(SpamdPoolConfig config, ScanTimer timer, EndpointDiscovery discovery) {
        this.timer = timer;
        this.config = config;
        IntegrityProbe admission = new IntegrityProbe(Duration.ofDays(36500), java.time.Clock.systemUTC());
        this.members = new DynamicMembers<>("spamd", config.endpoints().stream().map(endpoint -> new WeightedEndpoint(endpoint, 1)).toList(),
            discovery, new DynamicMembers.Kind<>() {
                @Override
                public Member create(WeightedEndpoint endpoint) {
                    return new Member(endpoint.endpoint(), config);
                }

                @Override
                public Endpoint endpointOf(Member member) {
                    return member.endpoint;
                }

                @Override
                public Optional<String> admissionProblem(Member member) {
                    ScannerState state = admission.check(member.client);
                    return state.condition().usable() ? Optional.empty() : Optional.of(state.reason());
                }

                @Override
                public void retire(Member member) {
                    // spamd connections are per check: nothing is kept open.
                }
            });
        this.prober = new EndpointProber("bulwark-spamd-prober", config.probeInterval(), () -> members.current().stream()
            .map(member -> new EndpointProber.Target(member.health, member.client::ping, () -> { }))
            .toList());
    }

    public List<SpamdClient> clients() {
        return members.current().stream().map(member -> member.client).toList();
    }

    @Override
    public SpamVerdict check(MessageContent content, Optional<String> user) {
        return check(SpamdCommand.SYMBOLS, content, user);
    }

    public SpamVerdict check(SpamdCommand command, MessageContent content, Optional<String> user) {
        SpamVerdict fallback = null;
        for (Member member : members.current()) {
            if (!member.health.isAvailable()) {
                continue;
            }
            Attempt attempt = attempt(member, command, content, user);
            if (attempt.answered()) {
                // Even a bad reply is final: another spamd would not know better.
                return attempt.verdict();
            }
            fallback = attempt.verdict();
        }
        return fallback != null ? fallback : noEndpoint();
    }

    /** {@code answered} is false when the endpoint was busy or died: the next one may take the check. */
    private record Attempt(SpamVerdict verdict, boolean answered) {
    }

    private Attempt attempt(Member member, SpamdCommand command, MessageContent content, Optional<String> user) {
        try {
            if (!member.slots.tryAcquire(config.borrowTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                return new Attempt(SpamVerdict.error("no free slot on spamd at " + member.endpoint + " within "
                    + config.borrowTimeout().toMillis() + " ms", member.endpoint), false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(SpamVerdict.error("interrupted", member.endpoint), true);
        }
        member.calls.increment();
        try {
            ScanTimer.Running timing = timer.start("spamd", member.endpoint);
            SpamVerdict verdict;
            try {
                verdict = member.client.checkOrThrow(command, content, user);
            } finally {
                timing.stop();
            }
            if (verdict.status() == SpamVerdict.Status.ERROR) {
                member.failures.increment();
                member.health.badReply(verdict.reason().orElse("bad reply"));
            } else {
                member.health.succeeded();
            }
            return new Attempt(verdict, true);
        } catch (SocketTimeoutException e) {
            return new Attempt(died(member, "spamd did not answer within " + config.client().exchangeTimeout().toMillis() + " ms"), false);
        } catch (IOException e) {
            return new Attempt(died(member, "spamd unreachable: " + e.getMessage()), false);
        } finally {
            member.slots.release();
        }
    }

    private static SpamVerdict died(Member member, String reason) {
        member.failures.increment();
        member.health.down(reason);
        return SpamVerdict.error(reason, member.endpoint);
    }

    private SpamVerdict noEndpoint() {
        StringBuilder reasons = new StringBuilder("no spamd in service:");
        members.current().forEach(member -> reasons.append(' ').append(member.endpoint).append(" (").append(member.health.lastFailure()).append(')'));
        return SpamVerdict.error(reasons.toString(), null);
    }

    /** Resolves the endpoints given by host name again now, as the discovery thread does every interval. */
    public void refreshEndpoints() {
        members.refresh();
    }

    public List<EndpointStats> stats() {
        return members.current().stream()
            .map(member -> new EndpointStats(new WeightedEndpoint(member.endpoint, 1), member.health.isAvailable(),
                config.maxConnectionsPerEndpoint() - member.slots.availablePermits(), 0, member.calls.sum(), member.failures.sum(),
                Optional.ofNullable(member.health.lastFailure())))
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
        members.current().stream().filter(member -> member.endpoint.equals(endpoint)).forEach(member -> member.health.selfTestFailed(reason));
    }

    public void selfTestPassed(Endpoint endpoint) {
        members.current().stream().filter(member -> member.endpoint.equals(endpoint)).forEach(member -> member.health.selfTestPassed());
    }

    @Override
    public void close() {
        prober.close();
        members.close();
    }
}
