package dev.bulwark.scanner.endpoint;

import java.time.Duration;
import java.util.Objects;

/**
 * How a pool follows scanner endpoints given by host name: every {@code interval} the names are resolved
 * again; a new address joins after it answers PING and passes its self-test (EICAR through clamd, GTUBE
 * through spamd), an address no longer listed leaves (scans in flight finish). Zero interval: names are
 * kept as given and resolved by each connection, as a plain client would.
 */
public record EndpointDiscovery(Duration interval, EndpointResolver resolver, Listener listener) {
    /** Told of every change, for logs, events and metrics. */
    public interface Listener {
        Listener NONE = new Listener() { };

        /** @param name the configured host name the address came from */
        default void joined(String daemon, Endpoint endpoint, String name) {
        }

        default void left(String daemon, Endpoint endpoint, String name) {
        }

        /** A new address that did not pass PING and self-test; told again only when the reason changes. */
        default void refused(String daemon, Endpoint endpoint, String name, String reason) {
        }
    }

    public static final EndpointDiscovery NONE = new EndpointDiscovery(Duration.ZERO, EndpointResolver.SYSTEM, Listener.NONE);

    public EndpointDiscovery {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(listener, "listener");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative");
        }
    }

    public boolean enabled() {
        return !interval.isZero();
    }
}
