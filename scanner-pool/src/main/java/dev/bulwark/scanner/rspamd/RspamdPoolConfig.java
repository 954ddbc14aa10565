package dev.bulwark.scanner.rspamd;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * The rspamd daemons (their scan port, worker-normal) and how much each may take.
 *
 * @param endpoints                 in order of preference: the first in service with a free slot gets the check
 * @param connectTimeout            TCP connect
 * @param timeout                   the whole exchange, connect to the last byte of the reply
 * @param maxConnectionsPerEndpoint checks in flight per rspamd, at most
 * @param borrowTimeout             how long a check waits for a free slot on one rspamd before trying the next
 * @param probeInterval             how often an rspamd taken out is probed to be put back
 * @param maxMessageSize            larger messages are not sent: SKIPPED; also sizes the largest reply read, {@link #maxReplySize()}
 */
public record RspamdPoolConfig(List<Endpoint> endpoints, Duration connectTimeout, Duration timeout, int maxConnectionsPerEndpoint,
                               Duration borrowTimeout, Duration probeInterval, long maxMessageSize) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** rspamd checks many messages at once in each worker; more in flight than spamd's children. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT = 16;
    public static final Duration DEFAULT_BORROW_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 2 * 1024 * 1024;
    /**
     * The least reply a check reads. rspamd finds URLs in content it decodes too (a PDF's compressed streams), so
     * their number is bounded by its {@code max_urls} (10,240 by default), host names of up to 253 bytes each, not
     * by the message's size: about 2.6 MB of them at most, with room for the rest.
     */
    static final int MIN_REPLY_SIZE = 4 * 1024 * 1024;
    /** A reply's part that does not grow with the message: score, action, symbols with their options. */
    static final int REPLY_OVERHEAD = 64 * 1024;

    public RspamdPoolConfig {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one rspamd endpoint is needed");
        }
        if (endpoints.stream().distinct().count() != endpoints.size()) {
            throw new IllegalArgumentException("an endpoint is listed twice");
        }
        if (maxConnectionsPerEndpoint < 1 || maxConnectionsPerEndpoint > 256) {
            throw new IllegalArgumentException("maxConnectionsPerEndpoint " + maxConnectionsPerEndpoint + " is not between 1 and 256");
        }
        for (Duration duration : new Duration[] {connectTimeout, timeout, borrowTimeout, probeInterval}) {
            Objects.requireNonNull(duration, "timeouts and intervals");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("connectTimeout, timeout, borrowTimeout and probeInterval must be positive");
            }
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive");
        }
    }

    /**
     * The largest {@code /checkv2} reply a check reads; a larger one is a bad reply (ERROR), which SpamCheck lets
     * through unchecked. rspamd's reply lists every host name of the URLs and every e-mail address it found, each
     * once, in JSON: a hostile message packed with distinct ones gets a reply about as large as itself. Twice the
     * largest message sent, plus {@value #REPLY_OVERHEAD} bytes, and never less than {@value #MIN_REPLY_SIZE},
     * reads the reply to any message Bulwark sends while keeping what one check may hold bounded.
     */
    public int maxReplySize() {
        long message = Math.min(maxMessageSize, Integer.MAX_VALUE);
        return (int) Math.min(Math.max(MIN_REPLY_SIZE, 2 * message + REPLY_OVERHEAD), Integer.MAX_VALUE - 8);
    }

    public static RspamdPoolConfig defaults(List<Endpoint> endpoints) {
        return new RspamdPoolConfig(endpoints, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT,
            DEFAULT_BORROW_TIMEOUT, DEFAULT_PROBE_INTERVAL, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** The same with other timeouts: connect, and the whole exchange. */
    public RspamdPoolConfig withTimeouts(Duration connect, Duration exchange) {
        return new RspamdPoolConfig(endpoints, connect, exchange, maxConnectionsPerEndpoint, borrowTimeout, probeInterval, maxMessageSize);
    }
}
