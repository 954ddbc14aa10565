package dev.bulwark.extension.learning;

import java.time.Clock;
import java.time.Duration;

import dev.bulwark.extension.limits.FixedWindows;

/**
 * Lessons per user in fixed windows, each starting with the user's first lesson after the last one ended: per
 * minute, a user moving thousands of messages into junk cannot keep the engines busy for everyone; per day, what
 * one user can teach the filter everyone shares stays bounded. Keyed on the user who acted. Windows of users who
 * went quiet are dropped as new windows start ({@link FixedWindows}).
 */
final class LessonRateLimiter {
    /** Lessons taken in one user's window. */
    private static final class Used {
        int lessons;
    }

    private final int limit;
    private final FixedWindows<Used> windows;

    LessonRateLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.windows = new FixedWindows<>(window, clock, Used::new);
    }

    /** Takes one lesson from the user's window; false when the window is used up. */
    boolean tryTake(String user) {
        return windows.use(user, used -> {
            if (used.lessons >= limit) {
                return false;
            }
            used.lessons++;
            return true;
        });
    }

    /** Gives back a lesson taken for nothing (the queue refused it). */
    void giveBack(String user) {
        windows.ifOpen(user, used -> used.lessons = Math.max(0, used.lessons - 1));
    }
}
