package dev.bulwark.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A value read from the database at most once per {@code ttl}: mail matching reads memory, and a change
 * made on another node applies here within {@code ttl}. Changes made here invalidate it at once.
 */
public final class CachedSnapshot<T> {
    private record Loaded<T>(T value, Instant at) {
    }

    private final Supplier<T> loader;
    private final Duration ttl;
    private final Clock clock;
    private final AtomicReference<Loaded<T>> current = new AtomicReference<>();

    public CachedSnapshot(Supplier<T> loader, Duration ttl, Clock clock) {
        this.loader = loader;
        this.ttl = ttl;
        this.clock = clock;
    }

    public T get() {
        Loaded<T> loaded = current.get();
        Instant now = clock.instant();
        if (loaded == null || !now.isBefore(loaded.at().plus(ttl))) {
            loaded = new Loaded<>(loader.get(), now);
            current.set(loaded);
        }
        return loaded.value();
    }

    public void invalidate() {
        current.set(null);
    }
}
