package dev.bulwark.extension.scanners;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.pool.EngineKind;
import dev.bulwark.scanner.pool.EnginePool;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reports Bulwark's scanners in James's {@code /healthcheck} ({@code additional.healthchecks} in
 * healthcheck.properties). Each check PINGs every endpoint of every engine pool, which also takes silent
 * ones out of the pools: unhealthy when a virus engine (clamd) has no endpoint in service (mail is being
 * held), degraded when any endpoint is out of service.
 */
public class ScannersHealthCheck implements HealthCheck {
    public static final ComponentName COMPONENT = new ComponentName("Bulwark scanners");

    private final Scanners scanners;

    @Inject
    public ScannersHealthCheck(Scanners scanners) {
        this.scanners = scanners;
    }

    @Override
    public ComponentName componentName() {
        return COMPONENT;
    }

    @Override
    public Publisher<Result> check() {
        // PINGs block on sockets, so they run off James's reactive threads.
        return Mono.fromCallable(this::checkNow).subscribeOn(Schedulers.boundedElastic());
    }

    private Result checkNow() {
        Map<EnginePool<?, ?, ?>, List<EndpointStats>> endpoints = new LinkedHashMap<>();
        scanners.pools().forEach(pool -> endpoints.put(pool, pool.checkEndpoints()));
        String down = endpoints.entrySet().stream()
            .flatMap(pool -> pool.getValue().stream().filter(s -> !s.available())
                .map(s -> pool.getKey().daemon() + " at " + s.endpoint().endpoint() + ": " + s.lastFailure().orElse("down")))
            .collect(Collectors.joining("; "));
        Optional<EnginePool<?, ?, ?>> virusEngineOut = endpoints.entrySet().stream()
            .filter(pool -> pool.getKey().kind() == EngineKind.VIRUS && pool.getValue().stream().noneMatch(EndpointStats::available))
            .map(Map.Entry::getKey).findFirst();
        if (virusEngineOut.isPresent()) {
            return Result.unhealthy(COMPONENT, "no " + virusEngineOut.get().daemon() + " in service, mail is held unscanned: " + down);
        }
        if (!down.isEmpty()) {
            return Result.degraded(COMPONENT, down);
        }
        return Result.healthy(COMPONENT);
    }
}
