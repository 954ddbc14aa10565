package dev.bulwark.scanner.spamd;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * The spamd daemons and how much each may take.
 *
 * @param endpoints                 in order of preference: the first in service with a free slot gets the check
 * @param client                    timeouts and size limit for each exchange
 * @param maxConnectionsPerEndpoint checks in flight per spamd, at most (spamd's own --max-children)
 * @param borrowTimeout             how long a check waits for a free slot on some spamd
 * @param probeInterval             how often a spamd taken out is probed to be put back
 */
public record SpamdPoolConfig(List<Endpoint> endpoints, SpamdClientConfig client, int maxConnectionsPerEndpoint,
                              Duration borrowTimeout, Duration probeInterval) {
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT = 4;
    public static final Duration DEFAULT_BORROW_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);

    public SpamdPoolConfig {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(client, "client");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one spamd endpoint is needed");
        }
        if (endpoints.stream().distinct().count() != endpoints.size()) {
            throw new IllegalArgumentException("an endpoint is listed twice");
        }
        if (maxConnectionsPerEndpoint < 1 || maxConnectionsPerEndpoint > 256) {
            throw new IllegalArgumentException("maxConnectionsPerEndpoint " + maxConnectionsPerEndpoint + " is not between 1 and 256");
        }
        Objects.requireNonNull(borrowTimeout, "borrowTimeout");
        Objects.requireNonNull(probeInterval, "probeInterval");
        if (borrowTimeout.isNegative() || borrowTimeout.isZero() || probeInterval.isNegative() || probeInterval.isZero()) {
            throw new IllegalArgumentException("borrowTimeout and probeInterval must be positive");
        }
    }

    public static SpamdPoolConfig defaults(List<Endpoint> endpoints) {
        return new SpamdPoolConfig(endpoints, SpamdClientConfig.DEFAULT, DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT,
            DEFAULT_BORROW_TIMEOUT, DEFAULT_PROBE_INTERVAL);
    }
}
