package dev.bulwark.scanner.spamd;

import java.time.Duration;
import java.util.Objects;

/**
 * How Bulwark talks to one spamd.
 *
 * @param connectTimeout  TCP connect timeout
 * @param exchangeTimeout the whole exchange, from connect to the last byte of the reply
 * @param maxMessageSize  larger messages are not sent: SKIPPED (like spamc's 500 KB default)
 */
public record SpamdClientConfig(Duration connectTimeout, Duration exchangeTimeout, long maxMessageSize) {
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 500 * 1024;
    public static final SpamdClientConfig DEFAULT = new SpamdClientConfig(Duration.ofSeconds(2), Duration.ofSeconds(30), DEFAULT_MAX_MESSAGE_SIZE);

    public SpamdClientConfig {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(exchangeTimeout, "exchangeTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || exchangeTimeout.isNegative() || exchangeTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive");
        }
    }
}
