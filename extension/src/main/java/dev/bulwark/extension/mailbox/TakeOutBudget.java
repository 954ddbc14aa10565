package dev.bulwark.extension.mailbox;

import java.time.Clock;
import java.time.Duration;

import dev.bulwark.extension.limits.FixedWindows;

/**
 * How much one mailbox owner's arrivals may move into the shared quarantine per window ({@code mailbox.takeOutsPerOwnerPerDay}
 * messages and {@code mailbox.takeOutBytesPerOwnerPerDay} bytes): a user who APPENDs infected messages in a loop would
 * otherwise move unbounded data out of their own quota into storage every user shares. Fixed windows per owner, each
 * starting with the owner's first take-out after the last one ended (as {@code learning}'s daily cap); the owner, not
 * the user who acted, is charged, because it is the owner's quota the data leaves. Counted per node: on a cluster each
 * node keeps its own counts, so an owner's arrivals spread over N nodes may move up to N budgets a day. Windows of
 * owners who went quiet are dropped as new windows start ({@link FixedWindows}).
 */
final class TakeOutBudget {
    private final int maxMessages;
    private final long maxBytes;
    private final FixedWindows<Used> windows;

    /** One owner's use of the current window. */
    private static final class Used {
        int messages;
        long bytes;
        int refused;
        boolean alerted;
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
        this.windows = new FixedWindows<>(window, clock, Used::new);
    }

    int maxMessages() {
        return maxMessages;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Charges one message of {@code size} bytes to the owner's window, unless it would go over either limit. */
    Charge charge(String owner, long size) {
        return windows.use(owner, used -> {
            if (used.messages + 1 > maxMessages || used.bytes + size > maxBytes) {
                used.refused++;
                boolean first = !used.alerted;
                used.alerted = true;
                return new Charge(false, used.messages, used.bytes, used.refused, first);
            }
            used.messages++;
            used.bytes += size;
            return new Charge(true, used.messages, used.bytes, used.refused, false);
        });
    }

    /** Gives back a charge for a take-out that did not happen (the quarantine refused the write). */
    void giveBack(String owner, long size) {
        windows.ifOpen(owner, used -> {
            used.messages = Math.max(0, used.messages - 1);
            used.bytes = Math.max(0, used.bytes - size);
        });
    }
}
