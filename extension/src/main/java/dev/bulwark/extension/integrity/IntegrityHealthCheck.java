package dev.bulwark.extension.integrity;

import java.util.List;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.scanner.integrity.ScannerState;
import dev.bulwark.scanner.pool.EngineKind;
import dev.bulwark.scanner.pool.EnginePool;

import reactor.core.publisher.Mono;

/**
 * The integrity watch's latest findings in James's {@code /healthcheck}: unhealthy when no endpoint of a
 * virus engine (clamd) passed its self-test (nothing would be detected, or nothing answers), degraded when
 * any scanner is down, broken or has stale signatures. Reads the watch's results; the probing runs on its
 * own schedule.
 */
public class IntegrityHealthCheck implements HealthCheck {
    public static final ComponentName COMPONENT = new ComponentName("Bulwark integrity");

    private final IntegrityWatch watch;
    private final Scanners scanners;

    @Inject
    public IntegrityHealthCheck(IntegrityWatch watch, Scanners scanners) {
        this.watch = watch;
        this.scanners = scanners;
    }

    @Override
    public ComponentName componentName() {
        return COMPONENT;
    }

    @Override
    public Publisher<Result> check() {
        return Mono.fromCallable(this::checkNow);
    }

    private Result checkNow() {
        List<ScannerState> states = watch.states();
        if (states.isEmpty()) {
            return Result.degraded(COMPONENT, "the first integrity check has not completed yet");
        }
        String problems = states.stream().filter(s -> s.condition() != ScannerState.Condition.HEALTHY)
            .map(s -> s.daemon() + " at " + s.endpoint() + " " + s.condition() + ": " + s.reason())
            .collect(Collectors.joining("; "));
        List<String> virusEngines = scanners.pools().stream().filter(pool -> pool.kind() == EngineKind.VIRUS).map(EnginePool::daemon).toList();
        boolean virusEngineUsable = states.stream().anyMatch(s -> virusEngines.contains(s.daemon()) && s.condition().usable());
        if (!virusEngineUsable) {
            return Result.unhealthy(COMPONENT, "no " + String.join(" or ", virusEngines) + " passes its self-test: " + problems);
        }
        return problems.isEmpty() ? Result.healthy(COMPONENT) : Result.degraded(COMPONENT, problems);
    }
}
