package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds out when each sent message reaches its final state, the way an operator would confirm it: the
 * recipient's INBOX over IMAP, and the quarantine mail repository. One thread polls both every
 * {@code pollMillis}; a message's time is when a poll first saw it, so latencies are late by at most one
 * poll interval plus the poll itself (the same for every pipeline).
 */
final class OutcomeTracker implements AutoCloseable {
    /** The mail repository infected mail is kept in, in both scanning pipelines. */
    interface QuarantineView {
        /** Tokens (Subject's first word) of the messages that entered the quarantine since the last call. */
        List<String> newTokens() throws Exception;
    }

    private final ImapInbox inbox;
    private final QuarantineView quarantine;
    private final long pollMillis;
    private final Map<String, CompletableFuture<Outcome>> pending = new ConcurrentHashMap<>();
    /** Outcomes seen before their sender registered them (a fast pipeline and a slow client): kept briefly. */
    private final Map<String, Outcome> early = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong unknownSeen = new AtomicLong();
    private final AtomicLong pollFailures = new AtomicLong();
    private final Thread poller;

    OutcomeTracker(ImapInbox inbox, QuarantineView quarantine, long pollMillis) {
        this.inbox = inbox;
        this.quarantine = quarantine;
        this.pollMillis = pollMillis;
        this.poller = new Thread(this::pollLoop, "bench-outcome-tracker");
        poller.setDaemon(true);
        poller.start();
    }

    /** Registers a token before its message is sent; the future completes when it is seen in a final state. */
    CompletableFuture<Outcome> expect(String token) {
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        pending.put(token, future);
        Outcome already = early.remove(token);
        if (already != null) {
            complete(token, already);
        }
        return future;
    }

    long unknownSeen() {
        return unknownSeen.get();
    }

    long pollFailures() {
        return pollFailures.get();
    }

    private void pollLoop() {
        while (running.get()) {
            try {
                for (ImapInbox.Delivered delivered : inbox.newMessages()) {
                    seen(SpamFlags.token(delivered.headers()), new Outcome(Outcome.State.DELIVERED,
                        SpamFlags.flagged(delivered.headers()), System.nanoTime()));
                }
                if (quarantine != null) {
                    for (String token : quarantine.newTokens()) {
                        seen(token, new Outcome(Outcome.State.QUARANTINED, false, System.nanoTime()));
                    }
                }
            } catch (IOException e) {
                pollFailures.incrementAndGet();
                if (running.get()) {
                    System.err.println("bench: outcome poll failed: " + e.getMessage());
                }
            } catch (Exception e) {
                pollFailures.incrementAndGet();
                System.err.println("bench: outcome poll failed: " + e);
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void seen(String token, Outcome outcome) {
        if (!token.startsWith(LoadGenerator.TOKEN_PREFIX)) {
            unknownSeen.incrementAndGet(); // e.g. Bulwark's admin notices to the postmaster
            return;
        }
        if (!complete(token, outcome)) {
            early.put(token, outcome);
        }
    }

    private boolean complete(String token, Outcome outcome) {
        CompletableFuture<Outcome> future = pending.remove(token);
        if (future == null) {
            return false;
        }
        future.complete(outcome);
        return true;
    }

    @Override
    public void close() {
        running.set(false);
        poller.interrupt();
        try {
            poller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inbox.close();
    }
}
