package dev.bulwark.scanner.pool;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

/**
 * Whether an endpoint takes work, on a Resilience4j circuit breaker: a dead connection (refused, reset,
 * stalled) takes the endpoint out at once; bad replies take it out when half of the last five calls were
 * bad. Only a successful background probe puts it back, so no mail is used to test a broken daemon.
 */
final class EndpointHealth {
    private static final Logger LOGGER = LoggerFactory.getLogger(EndpointHealth.class);

    private final String name;
    private final CircuitBreaker breaker;
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    /** Set while the integrity watch finds the daemon answering but not detecting: out, whatever PING says. */
    private final AtomicReference<String> failedSelfTest = new AtomicReference<>();

    EndpointHealth(String name) {
        this.name = name;
        this.breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(5)
            .minimumNumberOfCalls(3)
            .failureRateThreshold(50)
            // Never reopen on a timer: the prober decides (see class comment).
            .waitDurationInOpenState(Duration.ofDays(365))
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .build());
        breaker.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.State to = event.getStateTransition().getToState();
            if (to == CircuitBreaker.State.OPEN) {
                LOGGER.warn("{} taken out of service: {}", name, lastFailure.get());
            } else if (to == CircuitBreaker.State.CLOSED) {
                LOGGER.info("{} back in service", name);
            }
        });
    }

    boolean isAvailable() {
        return breaker.getState() == CircuitBreaker.State.CLOSED && failedSelfTest.get() == null;
    }

    /** The daemon answers but its self-test failed (it detects nothing): out until a self-test passes. */
    void selfTestFailed(String reason) {
        if (failedSelfTest.getAndSet(reason) == null) {
            LOGGER.warn("{} taken out of service: {}", name, reason);
        }
    }

    void selfTestPassed() {
        if (failedSelfTest.getAndSet(null) != null && breaker.getState() == CircuitBreaker.State.CLOSED) {
            LOGGER.info("{} back in service: self-test passed", name);
        }
    }

    void succeeded() {
        breaker.onSuccess(0, TimeUnit.NANOSECONDS);
    }

    /** A reply that makes no sense: counts toward taking the endpoint out. */
    void badReply(String reason) {
        lastFailure.set(reason);
        breaker.onError(0, TimeUnit.NANOSECONDS, new IllegalStateException(reason));
    }

    /** The connection died: out at once. */
    void down(String reason) {
        lastFailure.set(reason);
        if (breaker.getState() != CircuitBreaker.State.OPEN) {
            breaker.transitionToOpenState();
        }
    }

    /** A probe succeeded: back in service with a clean record. */
    void up() {
        if (breaker.getState() != CircuitBreaker.State.CLOSED) {
            breaker.transitionToClosedState();
        }
    }

    String lastFailure() {
        String selfTest = failedSelfTest.get();
        return selfTest != null ? selfTest : lastFailure.get();
    }

    @Override
    public String toString() {
        return name + (isAvailable() ? " up" : " down (" + lastFailure.get() + ")");
    }
}
