package dev.bulwark.extension.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import dev.bulwark.security.AsyncEventWriter;

import reactor.core.publisher.Mono;

/**
 * The security store's event backlog in James's {@code /healthcheck} ({@code additional.healthchecks}):
 * degraded while the store refuses writes (the events wait, and are in the event log), while the backlog
 * is over half the queue, or when events could not be stored within the last {@link #RECENT}. It never
 * makes James unhealthy: mail flows whatever becomes of the events.
 */
public class EventStoreHealthCheck implements HealthCheck {
    public static final ComponentName COMPONENT = new ComponentName("Bulwark event store");
    static final Duration RECENT = Duration.ofMinutes(5);

    private final AsyncEventWriter writer;
    private final Clock clock;

    @Inject
    public EventStoreHealthCheck(SecurityStoreLifecycle lifecycle) {
        this(lifecycle.eventWriter(), Clock.systemUTC());
    }

    EventStoreHealthCheck(AsyncEventWriter writer, Clock clock) {
        this.writer = writer;
        this.clock = clock;
    }

    @Override
    public ComponentName componentName() {
        return COMPONENT;
    }

    @Override
    public Publisher<Result> check() {
        return Mono.fromCallable(this::checkNow);
    }

    Result checkNow() {
        AsyncEventWriter.Status status = writer.status();
        List<String> problems = new ArrayList<>();
        status.failingSince().ifPresent(since -> problems.add("the store refuses writes since " + since + " ("
            + status.lastFailure().orElse("no reason given") + "): " + status.backlog() + " events waiting, each in the event log"));
        if (status.failingSince().isEmpty() && status.backlog() > status.capacity() / 2) {
            problems.add(status.backlog() + " events waiting to be written (queue of " + status.capacity() + ")");
        }
        Instant recent = clock.instant().minus(RECENT);
        status.lastUnstored().filter(last -> last.isAfter(recent)).ifPresent(last -> problems.add(status.unstored()
            + " events not stored since start (queue full, or refused by the database), the latest at " + last + "; each is in the event log"));
        return problems.isEmpty() ? Result.healthy(COMPONENT) : Result.degraded(COMPONENT, String.join("; ", problems));
    }
}
