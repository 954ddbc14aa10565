package dev.bulwark.scanner.clamd;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * Everything the clamd pool needs, validated once. Defaults follow clamd's own: {@link #idleTimeout()}
 * stays under clamd's IdleTimeout (30 s) so that the pool closes idle sessions before clamd does, and
 * {@link #maxStreamSize()} matches StreamMaxLength (25 MiB in Bulwark's scanners.sh).
 *
 * @param endpoints            the clamd daemons, with weights
 * @param timeouts             TCP connect timeout, and the longest wait for any one read from clamd
 * @param maxConnectionsPerEndpoint sessions open at once to one clamd, at most (scans in flight)
 * @param borrowTimeout        how long a scan waits for a free session before it gives up (ERROR)
 * @param idleTimeout          an idle session older than this is closed by the evictor
 * @param probeInterval        how often endpoints taken out are probed (PING) to be put back
 * @param chunkSize            INSTREAM chunk size: the memory one scan holds
 * @param maxStreamSize        a message known to be larger is UNSCANNABLE without being sent
 */
public record ClamdPoolConfig(
    List<WeightedEndpoint> endpoints,
    ScannerTimeouts timeouts,
    int maxConnectionsPerEndpoint,
    Duration borrowTimeout,
    Duration idleTimeout,
    Duration probeInterval,
    int chunkSize,
    long maxStreamSize) {

    public static final int DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT = 8;
    public static final Duration DEFAULT_BORROW_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    public static final long DEFAULT_MAX_STREAM_SIZE = 25L * 1024 * 1024;

    public ClamdPoolConfig {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(timeouts, "timeouts");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one clamd endpoint is needed");
        }
        if (endpoints.stream().map(WeightedEndpoint::endpoint).distinct().count() != endpoints.size()) {
            throw new IllegalArgumentException("an endpoint is listed twice");
        }
        if (maxConnectionsPerEndpoint < 1 || maxConnectionsPerEndpoint > 256) {
            throw new IllegalArgumentException("maxConnectionsPerEndpoint " + maxConnectionsPerEndpoint + " is not between 1 and 256");
        }
        requirePositive(borrowTimeout, "borrowTimeout");
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(probeInterval, "probeInterval");
        if (chunkSize < 1024 || chunkSize > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("chunkSize " + chunkSize + " is not between 1 KiB and 16 MiB");
        }
        if (maxStreamSize < 1) {
            throw new IllegalArgumentException("maxStreamSize must be positive");
        }
    }

    /** A configuration with every default, for these endpoints. */
    public static ClamdPoolConfig defaults(List<WeightedEndpoint> endpoints) {
        return new ClamdPoolConfig(endpoints, ScannerTimeouts.DEFAULT, DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT,
            DEFAULT_BORROW_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_PROBE_INTERVAL, DEFAULT_CHUNK_SIZE, DEFAULT_MAX_STREAM_SIZE);
    }

    public ClamdPoolConfig withTimeouts(ScannerTimeouts timeouts) {
        return new ClamdPoolConfig(endpoints, timeouts, maxConnectionsPerEndpoint, borrowTimeout, idleTimeout, probeInterval, chunkSize, maxStreamSize);
    }

    public ClamdPoolConfig withMaxConnectionsPerEndpoint(int max) {
        return new ClamdPoolConfig(endpoints, timeouts, max, borrowTimeout, idleTimeout, probeInterval, chunkSize, maxStreamSize);
    }

    public ClamdPoolConfig withBorrowTimeout(Duration timeout) {
        return new ClamdPoolConfig(endpoints, timeouts, maxConnectionsPerEndpoint, timeout, idleTimeout, probeInterval, chunkSize, maxStreamSize);
    }

    public ClamdPoolConfig withIdleTimeout(Duration timeout) {
        return new ClamdPoolConfig(endpoints, timeouts, maxConnectionsPerEndpoint, borrowTimeout, timeout, probeInterval, chunkSize, maxStreamSize);
    }

    public ClamdPoolConfig withProbeInterval(Duration interval) {
        return new ClamdPoolConfig(endpoints, timeouts, maxConnectionsPerEndpoint, borrowTimeout, idleTimeout, interval, chunkSize, maxStreamSize);
    }

    public ClamdPoolConfig withChunkSize(int size) {
        return new ClamdPoolConfig(endpoints, timeouts, maxConnectionsPerEndpoint, borrowTimeout, idleTimeout, probeInterval, size, maxStreamSize);
    }

    public ClamdPoolConfig withMaxStreamSize(long size) {
        return new ClamdPoolConfig(endpoints, timeouts, maxConnectionsPerEndpoint, borrowTimeout, idleTimeout, probeInterval, chunkSize, size);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
