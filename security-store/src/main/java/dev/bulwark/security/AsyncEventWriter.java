package dev.bulwark.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands security events to the store on a background thread, so that recording an event never slows
 * or fails mail processing: {@link #record} writes the event's line to the event log ({@code bulwark.events})
 * at once, then only offers it to a bounded queue. So every event is in the log, the audit trail, whatever
 * becomes of it in the store.
 *
 * <ul>
 *   <li>Queue full (the database is slow or gone): the event is not stored; it is counted
 *   ({@link Listener#unstored}, a metric), and a warning is logged once per 1,000.</li>
 *   <li>A write that fails (database down): the batch is kept and written again, after 1 s, 2 s... up to
 *   30 s between tries, while new events wait in the queue; the backlog and the failure are what
 *   {@link #status()} reports (the extension's health check).</li>
 *   <li>A batch the database refuses in part (one hostile row) is written again one event at a time: only
 *   the refused rows are lost from the store, each logged and counted as unstored.</li>
 *   <li>At shutdown, what cannot be written within 10 seconds is counted as unstored and logged.</li>
 * </ul>
 */
public final class AsyncEventWriter implements SecurityEventSink, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(AsyncEventWriter.class);
    private static final int BATCH = 200;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    /** Told of what could not be stored, for metrics. Called on any thread; must not block. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** Events that will never be in the store (they are in the event log). */
        default void unstored(int count) {
        }

        /** A batch write that failed and will be tried again. */
        default void writeFailed(int batchSize) {
        }
    }

    /**
     * What the writer is doing, for health checks.
     *
     * @param backlog      events waiting to be stored (queued and in the batch being written)
     * @param capacity     the queue's size: beyond it events are not stored
     * @param failingSince when the store began refusing writes, if it still does
     * @param lastFailure  why the latest write failed, while it is failing
     * @param unstored     events not stored since start (queue full, rows the database refused, or shutdown)
     * @param lastUnstored when an event was last not stored
     */
    public record Status(int backlog, int capacity, Optional<Instant> failingSince, Optional<String> lastFailure, long unstored,
                         Optional<Instant> lastUnstored) {
    }

    private final SecurityEvents events;
    private final BlockingQueue<SecurityEvent> queue;
    private final int capacity;
    private final Listener listener;
    private final Clock clock;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong unstored = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread writer;
    private volatile int inFlight;
    private volatile Instant failingSince;
    private volatile String lastFailure;
    private volatile Instant lastUnstored;

    public AsyncEventWriter(SecurityEvents events, int capacity) {
        this(events, capacity, Listener.NONE, Clock.systemUTC());
    }

    public AsyncEventWriter(SecurityEvents events, int capacity, Listener listener, Clock clock) {
        this.events = events;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.listener = listener;
        this.clock = clock;
        this.writer = new Thread(this::writeLoop, "bulwark-event-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void record(SecurityEvent event) {
        events.log(event);
        if (closing.getCount() == 0 || !queue.offer(event)) {
            long count = dropped.incrementAndGet();
            notStored(1);
            if (count % 1000 == 1) {
                LOGGER.warn("Security event queue full: {} events not stored so far, each still in the event log (latest: {})", count,
                    event.kind());
            }
        }
    }

    /** Events not queued because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    /** Events in failed batch writes (each try of a batch counts). */
    public long failed() {
        return failed.get();
    }

    /** Events waiting to be stored: in the queue and in the batch being written. */
    public int pending() {
        return queue.size() + inFlight;
    }

    /** Events in the queue, not yet taken by the writer. */
    public int queued() {
        return queue.size();
    }

    public Status status() {
        return new Status(pending(), capacity, Optional.ofNullable(failingSince), Optional.ofNullable(failingSince == null ? null : lastFailure),
            unstored.get(), Optional.ofNullable(lastUnstored));
    }

    private void notStored(int count) {
        unstored.addAndGet(count);
        lastUnstored = clock.instant();
        listener.unstored(count);
    }

    private void writeLoop() {
        List<SecurityEvent> batch = new ArrayList<>(BATCH);
        Duration retry = FIRST_RETRY;
        try {
            while (closing.getCount() > 0 || !queue.isEmpty() || !batch.isEmpty()) {
                if (batch.isEmpty()) {
                    SecurityEvent first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    inFlight = batch.size();
                }
                try {
                    List<String> refused = events.recordAll(batch);
                    written.addAndGet(batch.size() - refused.size());
                    if (!refused.isEmpty()) {
                        // Only these rows: the database took the others (each is in the event log all the same).
                        failed.addAndGet(refused.size());
                        notStored(refused.size());
                        LOGGER.error("{} of {} security events refused by the database, the others stored: {}", refused.size(), batch.size(),
                            String.join("; ", refused));
                    }
                    batch.clear();
                    inFlight = 0;
                    if (failingSince != null) {
                        LOGGER.info("Security events are stored again (failing since {}); {} waiting", failingSince, pending());
                        failingSince = null;
                    }
                    retry = FIRST_RETRY;
                } catch (RuntimeException e) {
                    failed.addAndGet(batch.size());
                    listener.writeFailed(batch.size());
                    lastFailure = e.getMessage();
                    if (failingSince == null) {
                        failingSince = clock.instant();
                        LOGGER.error("{} security events not stored, kept and tried again: {}", batch.size(), e.getMessage());
                    }
                    // Waits before the next try; at shutdown, one more try and then what is left is given up.
                    if (closing.await(retry.toMillis(), TimeUnit.MILLISECONDS) && failingSince != null && !tryOnceMore(batch)) {
                        break;
                    }
                    retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = batch.size() + queue.size();
        if (left > 0) {
            notStored(left);
            LOGGER.warn("{} security events not stored at shutdown (each is in the event log)", left);
            queue.clear();
            inFlight = 0;
        }
    }

    private boolean tryOnceMore(List<SecurityEvent> batch) {
        try {
            List<String> refused = events.recordAll(batch);
            written.addAndGet(batch.size() - refused.size());
            if (!refused.isEmpty()) {
                notStored(refused.size());
            }
            batch.clear();
            inFlight = 0;
            failingSince = null;
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Stops taking events and writes what is queued, waiting at most 10 seconds. */
    @Override
    public void close() {
        closing.countDown();
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
    }
}
