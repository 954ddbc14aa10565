package dev.bulwark.security;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands security events to the store on a background thread, so that recording an event never slows
 * or fails mail processing: {@link #record} only offers to a bounded queue. When the queue is full
 * (the database is slow or gone) the event is dropped, counted, and logged once per 1,000 drops. A batch
 * the database refuses is written again one event at a time, so that only the events it refuses are
 * lost (logged and counted); when the database is gone the batch is logged as lost, and writing goes on
 * with the next batch.
 */
public final class AsyncEventWriter implements SecurityEventSink, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(AsyncEventWriter.class);
    private static final int BATCH = 200;

    private final SecurityEvents events;
    private final BlockingQueue<SecurityEvent> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    public AsyncEventWriter(SecurityEvents events, int capacity) {
        this.events = events;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeLoop, "bulwark-event-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void record(SecurityEvent event) {
        if (closing || !queue.offer(event)) {
            long count = dropped.incrementAndGet();
            if (count % 1000 == 1) {
                LOGGER.warn("Security event queue full: {} events dropped so far (latest: {})", count, event.kind());
            }
        }
    }

    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    public long failed() {
        return failed.get();
    }

    public int pending() {
        return queue.size();
    }

    private void writeLoop() {
        List<SecurityEvent> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                SecurityEvent first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                List<String> refused = events.recordAll(batch);
                written.addAndGet(batch.size() - refused.size());
                if (!refused.isEmpty()) {
                    failed.addAndGet(refused.size());
                    LOGGER.error("{} of {} security events refused by the database, the others stored: {}", refused.size(), batch.size(),
                        String.join("; ", refused));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failed.addAndGet(batch.size());
                LOGGER.error("{} security events not stored: {}", batch.size(), e.getMessage());
            } finally {
                batch.clear();
            }
        }
    }

    /** Stops taking events and writes what is queued, waiting at most 10 seconds. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOGGER.warn("{} security events not stored at shutdown", queue.size());
        }
    }
}
