package dev.bulwark.scanner.pool;

import java.util.Optional;

import dev.bulwark.scanner.endpoint.WeightedEndpoint;

/**
 * A snapshot of one endpoint in a pool: whether it takes work, its connections and its counters.
 *
 * @param active      connections lent to scans right now
 * @param idle        open connections waiting in the pool
 * @param calls       scans or checks sent to it since start
 * @param failures    calls that failed on its side (dead connection or bad reply)
 * @param lastFailure the reason of the last failure, if any
 */
public record EndpointStats(WeightedEndpoint endpoint, boolean available, int active, int idle, long calls, long failures,
                            Optional<String> lastFailure) {
}
