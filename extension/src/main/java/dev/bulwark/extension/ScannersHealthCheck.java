package dev.bulwark.extension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import dev.bulwark.scanner.ClamdClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reports Bulwark's scanners in James's {@code /healthcheck} ({@code additional.healthchecks} in
 * healthcheck.properties): unhealthy when no clamd answers, degraded when some scanner does not.
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
        // Pings block on sockets, so they run off James's reactive threads.
        return Mono.fromCallable(this::checkNow).subscribeOn(Schedulers.boundedElastic());
    }

    private Result checkNow() {
        List<String> down = new ArrayList<>();
        int clamdUp = 0;
        for (ClamdClient clamd : scanners.clamd()) {
            try {
                clamd.ping();
                clamdUp++;
            } catch (IOException e) {
                down.add("clamd at " + clamd.endpoint() + ": " + e.getMessage());
            }
        }
        try {
            scanners.spamd().ping();
        } catch (IOException e) {
            down.add("spamd at " + scanners.spamd().endpoint() + ": " + e.getMessage());
        }
        if (clamdUp == 0) {
            return Result.unhealthy(COMPONENT, "no clamd answers, mail is held unscanned: " + String.join("; ", down));
        }
        if (!down.isEmpty()) {
            return Result.degraded(COMPONENT, String.join("; ", down));
        }
        return Result.healthy(COMPONENT);
    }
}
