package dev.bulwark.extension.scanners;

import java.util.List;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.scanner.clamd.ClamdPool;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.endpoint.EndpointResolver;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.pool.EnginePool;
import dev.bulwark.scanner.pool.ScanTimer;
import dev.bulwark.scanner.rspamd.RspamdLearner;
import dev.bulwark.scanner.rspamd.RspamdPool;
import dev.bulwark.scanner.spamd.SpamdLearner;
import dev.bulwark.scanner.spamd.SpamdPool;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamLearner;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/**
 * The scanner pools built from bulwark.properties; closed (connections, prober threads) when James stops.
 * {@link #pools()} lists every engine's pool, virus engines first, for everything that treats them alike
 * (integrity watch, health checks, metrics, membership events, webadmin); {@link #clamd()} and
 * {@link #spam()} (spamd or rspamd, as {@code spam.engine} says) are the engines the mailets are bound to.
 */
@Singleton
public class Scanners implements AutoCloseable {
    private final ClamdPool clamd;
    private final SpamChecker spam;
    private final SpamLearner spamLearner;
    private final List<EnginePool<?, ?, ?>> pools;
    private final java.util.Map<String, Latency> latencies = new java.util.concurrent.ConcurrentHashMap<>();

    /** Scan exchanges with one endpoint since James started: how many, and how long they took. */
    public record LatencySummary(long scans, double meanMillis, double maxMillis) {
        static final LatencySummary NONE = new LatencySummary(0, 0, 0);
    }

    private static final class Latency {
        private long count;
        private long totalNanos;
        private long maxNanos;

        synchronized void record(long nanos) {
            count++;
            totalNanos += nanos;
            maxNanos = Math.max(maxNanos, nanos);
        }

        synchronized LatencySummary summary() {
            return new LatencySummary(count, count == 0 ? 0 : totalNanos / 1e6 / count, maxNanos / 1e6);
        }
    }

    @Inject
    public Scanners(BulwarkConfiguration configuration, GaugeRegistry gauges, MetricFactory metrics, SecurityEventSink events) {
        ScanTimer timer = (daemon, endpoint) -> {
            org.apache.james.metrics.api.TimeMetric metric = metrics.timer(prefix(daemon, endpoint) + "_scan");
            long started = System.nanoTime();
            return () -> {
                metric.stopAndPublish();
                latencies.computeIfAbsent(daemon + " " + endpoint, key -> new Latency()).record(System.nanoTime() - started);
            };
        };
        EndpointDiscovery.Listener membership = new MembershipEvents(gauges, events);
        this.clamd = new ClamdPool(configuration.clamd(), timer,
            new EndpointDiscovery(configuration.discovery().clamd(), EndpointResolver.SYSTEM, membership));
        BulwarkConfiguration.Spam spamSettings = configuration.spam();
        if (spamSettings.engine() == BulwarkConfiguration.SpamEngine.RSPAMD) {
            RspamdPool rspamd = new RspamdPool(spamSettings.rspamd().orElseThrow(), timer,
                new EndpointDiscovery(configuration.discovery().rspamd(), EndpointResolver.SYSTEM, membership));
            this.spam = rspamd;
            this.pools = List.of(clamd.enginePool(), rspamd.enginePool());
            this.spamLearner = new RspamdLearner(spamSettings.rspamdControllers(), spamSettings.rspamd().orElseThrow());
        } else {
            SpamdPool spamd = new SpamdPool(configuration.spamd(), timer,
                new EndpointDiscovery(configuration.discovery().spamd(), EndpointResolver.SYSTEM, membership));
            this.spam = spamd;
            this.pools = List.of(clamd.enginePool(), spamd.enginePool());
            this.spamLearner = new SpamdLearner(spamd);
        }
        registerPoolGauges(gauges);
    }

    /** Pool membership changes from endpoint discovery: security events, and gauges for addresses that join. */
    private final class MembershipEvents implements EndpointDiscovery.Listener {
        private final GaugeRegistry gauges;
        private final SecurityEventSink events;
        private final java.util.Set<String> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();

        MembershipEvents(GaugeRegistry gauges, SecurityEventSink events) {
            this.gauges = gauges;
            this.events = events;
        }

        @Override
        public void joined(String daemon, Endpoint endpoint, String name) {
            record("scanner.joined", daemon, endpoint, name, java.util.Map.of());
            if (registered.add(daemon + " " + endpoint)) {
                register(gauges, daemon, endpoint, () -> pool(daemon).flatMap(pool -> find(pool.stats(), endpoint)));
            }
        }

        @Override
        public void left(String daemon, Endpoint endpoint, String name) {
            record("scanner.left", daemon, endpoint, name, java.util.Map.of());
        }

        @Override
        public void refused(String daemon, Endpoint endpoint, String name, String reason) {
            record("scanner.refused", daemon, endpoint, name, java.util.Map.of("reason", reason));
        }

        private void record(String kind, String daemon, Endpoint endpoint, String name, java.util.Map<String, String> extra) {
            java.util.Map<String, String> details = new java.util.HashMap<>(extra);
            details.put("daemon", daemon);
            details.put("endpoint", endpoint.toString());
            details.put("name", name);
            events.record(SecurityEvent.of(java.time.Instant.now(), kind, java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.List.of(), details));
        }
    }

    /** {@code bulwark_clamd_127_0_0_1_3310}: one metric name prefix per endpoint. */
    static String prefix(String daemon, Endpoint endpoint) {
        return "bulwark_" + daemon + "_" + (endpoint.host() + "_" + endpoint.port()).replaceAll("[^A-Za-z0-9]", "_");
    }

    /**
     * Pool usage per endpoint in James's metrics: {@code bulwark_clamd_127_0_0_1_3310_active},
     * {@code ..._idle}, {@code ..._in_service}; and the timer {@code ..._scan}, the latency of each exchange.
     */
    private void registerPoolGauges(GaugeRegistry gauges) {
        for (EnginePool<?, ?, ?> pool : pools) {
            pool.stats().forEach(stats -> register(gauges, pool.daemon(), stats.endpoint().endpoint(),
                () -> find(pool.stats(), stats.endpoint().endpoint())));
        }
    }

    private static void register(GaugeRegistry gauges, String daemon, Endpoint endpoint, java.util.function.Supplier<java.util.Optional<EndpointStats>> stats) {
        String prefix = prefix(daemon, endpoint);
        gauges.register(prefix + "_active", () -> stats.get().map(EndpointStats::active).orElse(0));
        gauges.register(prefix + "_idle", () -> stats.get().map(EndpointStats::idle).orElse(0));
        gauges.register(prefix + "_in_service", () -> stats.get().map(s -> s.available() ? 1 : 0).orElse(0));
    }

    private static java.util.Optional<EndpointStats> find(java.util.List<EndpointStats> all, Endpoint endpoint) {
        return all.stream().filter(s -> s.endpoint().endpoint().equals(endpoint)).findFirst();
    }

    /** @param daemon an engine pool's {@link EnginePool#daemon()} */
    public LatencySummary latency(String daemon, Endpoint endpoint) {
        return java.util.Optional.ofNullable(latencies.get(daemon + " " + endpoint)).map(Latency::summary).orElse(LatencySummary.NONE);
    }

    /** Every engine's pool, virus engines first (the order of states, health messages and webadmin's pools). */
    public List<EnginePool<?, ?, ?>> pools() {
        return pools;
    }

    /** The pool of the engine called {@code daemon} ({@code clamd}, {@code spamd}). */
    public java.util.Optional<EnginePool<?, ?, ?>> pool(String daemon) {
        // Read by discovery threads, which may start before the constructor has set the list.
        List<EnginePool<?, ?, ?>> all = pools;
        return all == null ? java.util.Optional.empty() : all.stream().filter(pool -> pool.daemon().equals(daemon)).findFirst();
    }

    /** The virus engine the mailets scan with. */
    public ClamdPool clamd() {
        return clamd;
    }

    /** The spam engine the mailets check with: spamd's or rspamd's pool, as {@code spam.engine} says. */
    public SpamChecker spam() {
        return spam;
    }

    /**
     * How the spam engine in use is taught: spamd over TELL through its pool's endpoints, or rspamd through its
     * controllers ({@code rspamd.controllerEndpoints}).
     */
    public SpamLearner spamLearner() {
        return spamLearner;
    }

    @PreDestroy
    @Override
    public void close() {
        pools.forEach(EnginePool::close);
    }
}
