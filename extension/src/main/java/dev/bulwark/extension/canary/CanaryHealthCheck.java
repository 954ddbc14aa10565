package dev.bulwark.extension.canary;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;

/**
 * The pipeline canary in James's {@code /healthcheck}: unhealthy while the last round was missed (mail may
 * pass unscanned), degraded when spamd left a carrier unjudged, before the first round, or when the canary is
 * off; healthy when the last round passed.
 */
public class CanaryHealthCheck implements HealthCheck {
    public static final ComponentName COMPONENT = new ComponentName("Bulwark canary");

    private final CanaryWatch watch;

    @Inject
    public CanaryHealthCheck(CanaryWatch watch) {
        this.watch = watch;
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
        if (!watch.enabled()) {
            return Result.degraded(COMPONENT, "the pipeline canary is off (canary.interval=0)");
        }
        return watch.latest().map(outcome -> switch (outcome.fate()) {
            case MISSED -> Result.unhealthy(COMPONENT, "canary round " + outcome.round() + " missed: " + outcome.summary());
            case DEGRADED -> Result.degraded(COMPONENT, "canary round " + outcome.round() + ": " + outcome.summary());
            default -> Result.healthy(COMPONENT);
        }).orElseGet(() -> Result.degraded(COMPONENT, "no canary round has finished yet"));
    }
}
