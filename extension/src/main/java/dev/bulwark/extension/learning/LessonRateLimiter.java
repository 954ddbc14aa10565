package dev.bulwark.extension.learning;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lessons per user per minute, in fixed one-minute windows: a user moving thousands of messages into junk
 * cannot keep the engines busy for everyone. Windows of users who went quiet are dropped as new windows start,
 * so the map holds only the users of the last minute.
 */
final class LessonRateLimiter {
    private static final long WINDOW_MILLIS = Duration.ofMinutes(1).toMillis();

    private final int perMinute;
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

    LessonRateLimiter(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** Takes one lesson from the user's minute; false when the minute is used up. */
    boolean tryTake(String user) {
        long now = clock.millis();
        sweep(now);
        Window window = windows.compute(user, (key, current) -> current == null || now - current.start >= WINDOW_MILLIS ? new Window(now) : current);
        synchronized (window) {
            if (window.used >= perMinute) {
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
        if (now - lastSweep < WINDOW_MILLIS) {
            return;
        }
        lastSweep = now;
        windows.values().removeIf(window -> now - window.start >= WINDOW_MILLIS);
    }
}
