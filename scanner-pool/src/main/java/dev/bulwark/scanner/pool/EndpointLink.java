package dev.bulwark.scanner.pool;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.ProbeTarget;

/**
 * The protocol's part of one pool member: how an engine reaches one endpoint. It holds the endpoint's
 * one-shot client (PING, self-test, admission) and whatever connections it keeps, and carries out one
 * request, reporting into the member's {@link Tally}. Everything else about the member (health, self-test
 * marks, admission, counters, the choice of endpoint) is the core's.
 *
 * @param <C> the engine's one-shot client
 * @param <Q> a request (a message, with whatever the protocol needs besides)
 * @param <V> the verdict
 */
public interface EndpointLink<C extends ProbeTarget, Q, V> {
    C client();

    /** One request on this endpoint. Never throws for a daemon problem: that is a verdict, reported to the tally. */
    Attempt<V> attempt(Q request, Tally tally);

    /** Connections lent to requests right now. */
    default int active() {
        return 0;
    }

    /** Open connections kept for the next requests. */
    default int idle() {
        return 0;
    }

    /** The endpoint is about to take work again after an outage: drop connections that may be stale. */
    default void dropIdle() {
    }

    /** Out of the pool: close what is idle now; what is lent closes when its request returns it. */
    default void close() {
    }

    /**
     * What one request gave. {@code tryElsewhere}: this endpoint could not take it (its connection died, or
     * it had no free slot), so another endpoint may, as the pool's dispatch allows; otherwise the verdict is
     * final (an answer, or a failure another daemon would share: a bad reply, an unreadable message).
     */
    record Attempt<V>(V verdict, boolean tryElsewhere) {
        public static <V> Attempt<V> done(V verdict) {
            return new Attempt<>(verdict, false);
        }

        public static <V> Attempt<V> elsewhere(V verdict) {
            return new Attempt<>(verdict, true);
        }
    }

    /** Where a link reports each request: the member's counters, health and timer. */
    interface Tally {
        Endpoint endpoint();

        /** A request goes to the endpoint (counted in its calls). */
        void called();

        /** Times the exchange with the daemon, until the handle stops. */
        ScanTimer.Running startTimer();

        /** The daemon answered in its protocol's shape. */
        void answered();

        /** The daemon answered nonsense: a failure; half of the last five calls bad takes the endpoint out. */
        void badReply(String reason);

        /** The connection died (refused, reset, stalled): a failure, and the endpoint is out at once. */
        void died(String reason);
    }
}
