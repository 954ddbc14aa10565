package dev.bulwark.scanner.pool;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * Times each exchange with a daemon, per endpoint: how the pools report scan latency to a metrics
 * system (James's MetricFactory in the extension) without knowing it.
 */
@FunctionalInterface
public interface ScanTimer {
    /** A running measurement. */
    @FunctionalInterface
    interface Running {
        void stop();
    }

    ScanTimer NONE = (daemon, endpoint) -> () -> { };

    /** @param daemon the pool's engine, {@code clamd} or {@code spamd} */
    Running start(String daemon, Endpoint endpoint);
}
