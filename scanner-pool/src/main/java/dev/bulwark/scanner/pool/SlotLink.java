package dev.bulwark.scanner.pool;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.ProbeTarget;

/**
 * A link for engines whose client makes each exchange on its own (spamd closes the connection after each
 * check; an HTTP client keeps its keep-alive connections itself): a fair semaphore caps the exchanges in
 * flight per endpoint. No free slot within the borrow timeout: another endpoint may take the request. A dead
 * connection or a passed deadline: the endpoint is out and another may take it. An ERROR verdict (a bad
 * reply): final, and it counts toward taking the endpoint out.
 */
public final class SlotLink<C extends ProbeTarget, Q, V> implements EndpointLink<C, Q, V> {
    /**
     * One exchange. A dead connection throws (a deadline that passed as {@link SocketTimeoutException}); a
     * reply in the wrong shape is an ERROR verdict, not an exception.
     */
    @FunctionalInterface
    public interface Exchange<Q, V> {
        V exchange(Q request) throws IOException;
    }

    private final EngineKind<V> kind;
    private final C client;
    private final Exchange<Q, V> exchange;
    private final int capacity;
    private final Semaphore slots;
    private final Duration borrowTimeout;
    private final Duration exchangeTimeout;

    /**
     * @param slots           exchanges in flight at most
     * @param borrowTimeout   how long a request waits for a free slot
     * @param exchangeTimeout the client's deadline for one exchange, for the reason given when it passes
     */
    public SlotLink(EngineKind<V> kind, C client, Exchange<Q, V> exchange, int slots, Duration borrowTimeout, Duration exchangeTimeout) {
        this.kind = kind;
        this.client = client;
        this.exchange = exchange;
        this.capacity = slots;
        this.slots = new Semaphore(slots, true);
        this.borrowTimeout = borrowTimeout;
        this.exchangeTimeout = exchangeTimeout;
    }

    @Override
    public C client() {
        return client;
    }

    @Override
    public Attempt<V> attempt(Q request, Tally tally) {
        Endpoint endpoint = tally.endpoint();
        try {
            if (!slots.tryAcquire(borrowTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Attempt.elsewhere(kind.error("no free slot on " + client.daemon() + " at " + endpoint + " within "
                    + borrowTimeout.toMillis() + " ms", endpoint));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Attempt.done(kind.error("interrupted", endpoint));
        }
        tally.called();
        try {
            ScanTimer.Running timing = tally.startTimer();
            V verdict;
            try {
                verdict = exchange.exchange(request);
            } finally {
                timing.stop();
            }
            if (kind.isError(verdict)) {
                tally.badReply(kind.reason(verdict).orElse("bad reply"));
            } else {
                tally.answered();
            }
            return Attempt.done(verdict);
        } catch (SocketTimeoutException e) {
            return died(tally, client.daemon() + " did not answer within " + exchangeTimeout.toMillis() + " ms");
        } catch (IOException e) {
            return died(tally, client.daemon() + " unreachable: " + e.getMessage());
        } finally {
            slots.release();
        }
    }

    private Attempt<V> died(Tally tally, String reason) {
        tally.died(reason);
        return Attempt.elsewhere(kind.error(reason, tally.endpoint()));
    }

    @Override
    public int active() {
        return capacity - slots.availablePermits();
    }
}
