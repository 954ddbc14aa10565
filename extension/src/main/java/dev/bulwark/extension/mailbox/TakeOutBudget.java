package dev.bulwark.extension.mailbox;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How much one mailbox owner's arrivals may move into the shared quarantine per window ({@code mailbox.takeOutsPerOwnerPerDay}
 * messages and {@code mailbox.takeOutBytesPerOwnerPerDay} bytes): a user who APPENDs infected messages in a loop would
 * otherwise move unbounded data out of their own quota into storage every user shares. Fixed windows per owner, each
 * starting with the owner's first take-out after the last one ended (as {@code learning}'s daily cap); the owner, not
 * the user who acted, is charged, because it is the owner's quota the data leaves. Counted per node: on a cluster each
 * node keeps its own counts, so an owner's arrivals spread over N nodes may move up to N budgets a day. Windows of
 * owners who went quiet are dropped as new windows start.
 */
final class TakeOutBudget {
    private final int maxMessages;
    private final long maxBytes;
    private final long windowMillis;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    /** One owner's use of the current window. */
    private static final class Window {
        final long start;
        int messages;
        long bytes;
        int refused;
        boolean alerted;

        Window(long start) {
            this.start = start;
        }
    }

    /**
     * What a charge found.
     *
     * @param allowed    whether the message fits the budget (it was charged then)
     * @param messages   messages taken out in the owner's window, this one included when allowed
     * @param bytes      bytes taken out in the owner's window, this one included when allowed
     * @param refused    messages refused in the window, this one included when refused
     * @param firstAlert whether this refusal is the window's first (the admin is alerted once per owner and window)
     */
    record Charge(boolean allowed, int messages, long bytes, int refused, boolean firstAlert) {
    }

    TakeOutBudget(int maxMessages, long maxBytes, Duration window, Clock clock) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    int maxMessages() {
        return maxMessages;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Charges one message of {@code size} bytes to the owner's window, unless it would go over either limit. */
    Charge charge(String owner, long size) {
        long now = clock.millis();
        sweep(now);
        Window window = windows.compute(owner, (key, current) -> current == null || now - current.start >= windowMillis ? new Window(now) : current);
        synchronized (window) {
            if (window.messages + 1 > maxMessages || window.bytes + size > maxBytes) {
                window.refused++;
                boolean first = !window.alerted;
                window.alerted = true;
                return new Charge(false, window.messages, window.bytes, window.refused, first);
            }
            window.messages++;
            window.bytes += size;
            return new Charge(true, window.messages, window.bytes, window.refused, false);
        }
    }

    /** Gives back a charge for a take-out that did not happen (the quarantine refused the write). */
    void giveBack(String owner, long size) {
        Window window = windows.get(owner);
        if (window != null) {
            synchronized (window) {
                window.messages = Math.max(0, window.messages - 1);
                window.bytes = Math.max(0, window.bytes - size);
            }
        }
    }

    private void sweep(long now) {
        if (now - lastSweep < windowMillis) {
            return;
        }
        lastSweep = now;
        windows.values().removeIf(window -> now - window.start >= windowMillis);
    }
}
