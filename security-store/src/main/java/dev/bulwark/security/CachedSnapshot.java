package dev.bulwark.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.slf4j.Logger;

/**
 * A value read from the database at most once per {@code ttl}: mail matching reads memory, and a change
 * made on another node applies here within {@code ttl}. Changes made here invalidate it at once.
 *
 * <p>{@link #keepingLastGood} makes one that outlives a database outage: when a reload fails with a
 * {@link StoreException}, the last value read stays in force (tried again after {@code ttl}, so a dead
 * database is not asked on every mail), with one warning per outage. Only a snapshot that never read fails.
 */
public final class CachedSnapshot<T> {
    /** {@code at} null: invalidated, to be read again, its value kept as the last good one. */
    private record Loaded<T>(T value, Instant at) {
    }

    private final Supplier<T> loader;
    private final Duration ttl;
    private final Clock clock;
    private final Optional<Outage> outage;
    private final AtomicReference<Loaded<T>> current = new AtomicReference<>();

    /** How a snapshot that keeps its last good value reports an outage. */
    private record Outage(Logger log, String what, AtomicBoolean ongoing) {
    }

    /** Fails whenever a reload fails. */
    public CachedSnapshot(Supplier<T> loader, Duration ttl, Clock clock) {
        this(loader, ttl, clock, Optional.empty());
    }

    private CachedSnapshot(Supplier<T> loader, Duration ttl, Clock clock, Optional<Outage> outage) {
        this.loader = loader;
        this.ttl = ttl;
        this.clock = clock;
        this.outage = outage;
    }

    /**
     * Keeps the last value read while the database cannot be read.
     *
     * @param what what the value is, for the log ("Groups")
     */
    public static <T> CachedSnapshot<T> keepingLastGood(Supplier<T> loader, Duration ttl, Clock clock, Logger log, String what) {
        return new CachedSnapshot<>(loader, ttl, clock, Optional.of(new Outage(log, what, new AtomicBoolean())));
    }

    public T get() {
        Loaded<T> loaded = current.get();
        Instant now = clock.instant();
        if (loaded == null || loaded.at() == null || !now.isBefore(loaded.at().plus(ttl))) {
            loaded = new Loaded<>(reload(loaded), now);
            current.set(loaded);
        }
        return loaded.value();
    }

    public void invalidate() {
        current.updateAndGet(loaded -> loaded == null ? null : new Loaded<>(loaded.value(), null));
    }

    private T reload(Loaded<T> last) {
        try {
            T value = loader.get();
            outage.filter(o -> o.ongoing().compareAndSet(true, false))
                .ifPresent(o -> o.log().info("{} read from the security store again", o.what()));
            return value;
        } catch (StoreException e) {
            if (outage.isEmpty() || last == null) {
                throw e;
            }
            Outage o = outage.get();
            if (o.ongoing().compareAndSet(false, true)) {
                o.log().warn("{} not read again, the last ones read stay in force until the security store answers: {}", o.what(),
                    LogText.of(e.getMessage()));
            }
            return last.value();
        }
    }
}
