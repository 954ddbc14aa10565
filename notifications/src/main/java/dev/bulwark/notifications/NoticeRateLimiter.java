package dev.bulwark.notifications;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * At most {@code max} notices per target per window, so that an outbreak cannot flood a mailbox. What
 * is held back is remembered; the first notice attempt for that target after its window ends also
 * returns a digest of what was held back, to be sent first.
 */
public final class NoticeRateLimiter {
    /** The outcome of one attempt: send it or not, and a digest of earlier suppressed notices, if due. */
    public record Decision(boolean send, Optional<List<String>> digest) {
    }

    private record Window(Instant start, int sent, List<String> suppressed) {
    }

    private final int max;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> windows = new HashMap<>();

    public NoticeRateLimiter(int max, Duration window, Clock clock) {
        if (max < 1) {
            throw new IllegalArgumentException("at least 1 notice per window");
        }
        this.max = max;
        this.window = window;
        this.clock = clock;
    }

    /** @param summary one line describing this notice, for a later digest */
    public synchronized Decision attempt(String target, String summary) {
        Instant now = clock.instant();
        Window current = windows.get(target);
        Optional<List<String>> digest = Optional.empty();
        if (current == null || !now.isBefore(current.start().plus(window))) {
            if (current != null && !current.suppressed().isEmpty()) {
                digest = Optional.of(List.copyOf(current.suppressed()));
            }
            current = new Window(now, 0, new ArrayList<>());
        }
        if (current.sent() < max) {
            windows.put(target, new Window(current.start(), current.sent() + 1, current.suppressed()));
            return new Decision(true, digest);
        }
        current.suppressed().add(summary);
        windows.put(target, current);
        return new Decision(false, digest);
    }
}
