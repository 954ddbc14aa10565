package dev.bulwark.extension.limits;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Counts per key in fixed windows, each starting with the key's first use after its last window ended; what a
 * limiter counts ({@code C}, mutable) is its own. Windows of keys that went quiet are dropped as new windows start,
 * so the map holds only the keys of the last window. Thread-safe: each key's counts are changed under their own lock.
 *
 * @param <C> the counts of one key's window
 */
public final class FixedWindows<C> {
    private record Window<C>(long start, C counts) {
    }

    private final long windowMillis;
    private final Clock clock;
    private final Supplier<C> opening;
    private final Map<String, Window<C>> windows = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    /** @param opening the counts of a window just opened */
    public FixedWindows(Duration window, Clock clock, Supplier<C> opening) {
        this.windowMillis = window.toMillis();
        this.clock = clock;
        this.opening = opening;
    }

    /** Uses the key's current window (a new one when it has none, or its window ended), under the window's lock. */
    public <R> R use(String key, Function<C, R> use) {
        long now = clock.millis();
        sweep(now);
        Window<C> window = windows.compute(key,
            (name, current) -> current == null || now - current.start() >= windowMillis ? new Window<>(now, opening.get()) : current);
        synchronized (window) {
            return use.apply(window.counts());
        }
    }

    /** Changes the key's window, if it has one (a charge given back); opens none. */
    public void ifOpen(String key, Consumer<C> change) {
        Window<C> window = windows.get(key);
        if (window != null) {
            synchronized (window) {
                change.accept(window.counts());
            }
        }
    }

    private void sweep(long now) {
        if (now - lastSweep < windowMillis) {
            return;
        }
        lastSweep = now;
        windows.values().removeIf(window -> now - window.start() >= windowMillis);
    }
}
