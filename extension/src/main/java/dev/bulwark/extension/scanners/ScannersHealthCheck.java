package dev.bulwark.extension.scanners;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import dev.bulwark.scanner.EndpointStats;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reports Bulwark's scanners in James's {@code /healthcheck} ({@code additional.healthchecks} in
 * healthcheck.properties). Each check PINGs every endpoint, which also takes silent ones out of the
 * pools: unhealthy when no clamd is in service (mail is being held), degraded when any clamd or spamd
 * is out of service.
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
        List<EndpointStats> clamd = scanners.clamd().checkEndpoints();
        List<EndpointStats> spamd = scanners.spamd().checkEndpoints();
        String down = Stream.concat(
                clamd.stream().filter(s -> !s.available()).map(s -> "clamd at " + s.endpoint().endpoint() + ": " + s.lastFailure().orElse("down")),
                spamd.stream().filter(s -> !s.available()).map(s -> "spamd at " + s.endpoint().endpoint() + ": " + s.lastFailure().orElse("down")))
            .collect(Collectors.joining("; "));
        if (clamd.stream().noneMatch(EndpointStats::available)) {
            return Result.unhealthy(COMPONENT, "no clamd in service, mail is held unscanned: " + down);
        }
        if (!down.isEmpty()) {
            return Result.degraded(COMPONENT, down);
        }
        return Result.healthy(COMPONENT);
    }
}
