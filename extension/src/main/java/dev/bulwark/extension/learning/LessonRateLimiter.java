package dev.bulwark.extension.learning;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lessons per user in fixed windows, each starting with the user's first lesson after the last one ended: per
 * minute, a user moving thousands of messages into junk cannot keep the engines busy for everyone; per day, what
 * one user can teach the filter everyone shares stays bounded. Keyed on the user who acted. Windows of users who
 * went quiet are dropped as new windows start, so the map holds only the users of the last window.
 */
final class LessonRateLimiter {
    private final long windowMillis;
    private final int limit;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    private static final class Window {
        final long start;
        int used;

        Window(long start) {
            this.start = start;
        }
    }

    LessonRateLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** Takes one lesson from the user's window; false when the window is used up. */
    boolean tryTake(String user) {
        long now = clock.millis();
        sweep(now);
        Window window = windows.compute(user, (key, current) -> current == null || now - current.start >= windowMillis ? new Window(now) : current);
        synchronized (window) {
            if (window.used >= limit) {
                return false;
            }
            window.used++;
            return true;
        }
    }

    /** Gives back a lesson taken for nothing (the queue refused it). */
    void giveBack(String user) {
        Window window = windows.get(user);
        if (window != null) {
            synchronized (window) {
                window.used = Math.max(0, window.used - 1);
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
