package dev.bulwark.scanner.pool;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;

/**
 * What the core needs from an engine's configuration record: the engine's name, its endpoints, how a
 * request picks one, and how often endpoints taken out are probed.
 *
 * @param daemon        {@code clamd}, {@code spamd}: names the pool's threads ({@code bulwark-<daemon>-prober}), its
 *                      log lines, errors ("no clamd in service"), membership events and metrics
 * @param endpoints     as configured; host names may be followed ({@code EndpointDiscovery})
 * @param dispatch      how a request picks an endpoint, and where it goes when that one fails
 * @param probeInterval how often endpoints out of service are PINGed to be put back
 */
public record PoolSettings(String daemon, List<WeightedEndpoint> endpoints, Dispatch dispatch, Duration probeInterval) {
    public enum Dispatch {
        /**
         * Load sharing: the endpoint in service with the least {@code (requests in flight + 1) / weight}, ties
         * rotating; a request whose endpoint died under it goes once more to another endpoint (clamd).
         */
        LEAST_LOADED,
        /**
         * Failover: the endpoints in order, the first in service takes the request; a dead or busy one passes it
         * to the next (spamd: each daemon forks its own children, so there is nothing to share).
         */
        IN_ORDER
    }

    public PoolSettings {
        Objects.requireNonNull(daemon, "daemon");
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(dispatch, "dispatch");
        Objects.requireNonNull(probeInterval, "probeInterval");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one " + daemon + " endpoint is needed");
        }
        if (probeInterval.isNegative() || probeInterval.isZero()) {
            throw new IllegalArgumentException("probeInterval must be positive");
        }
    }

    /** Failover ({@link Dispatch#IN_ORDER}) over {@code endpoints} in order of preference: weights play no part, each has 1. */
    public static PoolSettings inOrder(String daemon, List<Endpoint> endpoints, Duration probeInterval) {
        return new PoolSettings(daemon, endpoints.stream().map(endpoint -> new WeightedEndpoint(endpoint, 1)).toList(), Dispatch.IN_ORDER,
            probeInterval);
    }
}
