package dev.bulwark.scanner.pool;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;

/**
 * A pool's members, one per scanner address: the configured endpoints, with host names expanded into
 * the addresses they resolve to and followed over time (see {@link EndpointDiscovery}). Readers get an
 * immutable snapshot; only the refresh thread replaces it.
 */
final class DynamicMembers<M> implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DynamicMembers.class);
    private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    /** What the pool does with its members. */
    interface Kind<M> {
        M create(WeightedEndpoint endpoint);

        Endpoint endpointOf(M member);

        /** Empty when the member may take work: it answered PING and passed its self-test. */
        Optional<String> admissionProblem(M member);

        /** Out of the pool: close what it holds once its scans in flight are done. */
        void retire(M member);
    }

    private final String daemon;
    private final List<WeightedEndpoint> configured;
    private final EndpointDiscovery discovery;
    private final Kind<M> kind;
    /** Member address -> the configured endpoint (host name) it came from. */
    private final Map<Endpoint, WeightedEndpoint> origins = new HashMap<>();
    private final Map<Endpoint, String> refused = new HashMap<>();
    private final Optional<ScheduledExecutorService> executor;
    private volatile List<M> current;
    private boolean closed;

    DynamicMembers(String daemon, List<WeightedEndpoint> configured, EndpointDiscovery discovery, Kind<M> kind) {
        this.daemon = daemon;
        this.configured = List.copyOf(configured);
        this.discovery = discovery;
        this.kind = kind;
        List<M> initial = new ArrayList<>();
        for (WeightedEndpoint endpoint : this.configured) {
            List<String> addresses = followed(endpoint) ? resolve(endpoint).orElse(List.of()) : List.of();
            if (addresses.isEmpty()) {
                // An address, or a name not followed or not resolvable now: connections resolve it themselves.
                initial.add(kind.create(endpoint));
                origins.put(endpoint.endpoint(), endpoint);
            }
            List<M> candidates = new ArrayList<>();
            for (String address : addresses) {
                Endpoint member = new Endpoint(address, endpoint.endpoint().port());
                if (!origins.containsKey(member)) {
                    candidates.add(kind.create(new WeightedEndpoint(member, endpoint.weight())));
                    origins.put(member, endpoint);
                }
            }
            // A name with several addresses (localhost: 127.0.0.1 and ::1) keeps those that pass PING and the
            // self-test; when none does yet (the daemons are starting), all of them, as a plain client would.
            List<M> admitted = candidates.size() > 1
                ? candidates.stream().filter(member -> kind.admissionProblem(member).isEmpty()).toList()
                : candidates;
            for (M candidate : candidates) {
                if (admitted.isEmpty() || admitted.contains(candidate)) {
                    initial.add(candidate);
                } else {
                    origins.remove(kind.endpointOf(candidate));
                    kind.retire(candidate);
                }
            }
        }
        this.current = List.copyOf(initial);
        this.executor = discovery.enabled() && this.configured.stream().anyMatch(this::followed)
            ? Optional.of(Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "bulwark-" + daemon + "-discovery");
                thread.setDaemon(true);
                return thread;
            }))
            : Optional.empty();
        executor.ifPresent(scheduler -> scheduler.scheduleWithFixedDelay(this::refreshQuietly, discovery.interval().toMillis(),
            discovery.interval().toMillis(), TimeUnit.MILLISECONDS));
    }

    List<M> current() {
        return current;
    }

    private boolean followed(WeightedEndpoint endpoint) {
        return discovery.enabled() && !ADDRESS_LITERAL.matcher(endpoint.endpoint().host()).matches();
    }

    private Optional<List<String>> resolve(WeightedEndpoint endpoint) {
        try {
            return Optional.of(discovery.resolver().addresses(endpoint.endpoint().host()));
        } catch (UnknownHostException | RuntimeException e) {
            LOGGER.warn("{} endpoints: {} does not resolve ({}); its current addresses are kept", daemon, endpoint.endpoint().host(), e.getMessage());
            return Optional.empty();
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOGGER.warn("{} endpoint discovery failed: {}", daemon, e.toString());
        }
    }

    /** Resolves every followed name again and applies the difference. */
    synchronized void refresh() {
        if (closed) {
            return;
        }
        List<M> next = new ArrayList<>(current);
        for (WeightedEndpoint endpoint : configured) {
            if (!followed(endpoint)) {
                continue;
            }
            Optional<List<String>> resolved = resolve(endpoint);
            if (resolved.isEmpty() || resolved.get().isEmpty()) {
                continue; // a DNS outage must not empty the pool
            }
            Set<Endpoint> wanted = new LinkedHashSet<>();
            resolved.get().forEach(address -> wanted.add(new Endpoint(address, endpoint.endpoint().port())));
            String name = endpoint.endpoint().host();
            for (M member : List.copyOf(next)) {
                Endpoint address = kind.endpointOf(member);
                if (endpoint.equals(origins.get(address)) && !wanted.contains(address)) {
                    next.remove(member);
                    origins.remove(address);
                    kind.retire(member);
                    LOGGER.info("{} at {} left the pool: {} no longer resolves to it", daemon, address, name);
                    discovery.listener().left(daemon, address, name);
                }
            }
            Function<Endpoint, Boolean> present = address -> next.stream().anyMatch(member -> kind.endpointOf(member).equals(address));
            for (Endpoint address : wanted) {
                if (!present.apply(address)) {
                    admit(address, endpoint, next);
                }
            }
        }
        current = List.copyOf(next);
    }

    private void admit(Endpoint address, WeightedEndpoint origin, List<M> next) {
        String name = origin.endpoint().host();
        M candidate = kind.create(new WeightedEndpoint(address, origin.weight()));
        Optional<String> problem = kind.admissionProblem(candidate);
        if (problem.isPresent()) {
            kind.retire(candidate);
            if (!problem.get().equals(refused.put(address, problem.get()))) {
                LOGGER.warn("{} at {} (from {}) not taken into the pool: {}", daemon, address, name, problem.get());
                discovery.listener().refused(daemon, address, name, problem.get());
            }
            return;
        }
        refused.remove(address);
        next.add(candidate);
        origins.put(address, origin);
        LOGGER.info("{} at {} joined the pool (from {}): PING and self-test passed", daemon, address, name);
        discovery.listener().joined(daemon, address, name);
    }

    @Override
    public void close() {
        executor.ifPresent(ScheduledExecutorService::shutdownNow);
        synchronized (this) {
            closed = true;
            current.forEach(kind::retire);
        }
    }
}
