package dev.bulwark.security;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Watches virus detections in a sliding window and declares an outbreak when one virus, or all of them
 * together, cross their thresholds ({@link OutbreakSettings}, as they are at each detection); the outbreak ends after a quiet period
 * without crossing. Starts and ends are reported as security events to {@code events}. Thread-safe;
 * memory is bounded by the detections inside one window.
 */
public final class OutbreakDetector {
    /** The current outbreak: since when, why, and the detections per virus in the window when it was last confirmed. */
    public record Outbreak(Instant since, String cause, Instant lastCrossing, Map<String, Integer> detections) {
    }

    private record Detection(Instant at, String virus) {
    }

    private final java.util.function.Supplier<OutbreakSettings> settings;
    private final Clock clock;
    private final Consumer<SecurityEvent> events;
    private final Deque<Detection> window = new ArrayDeque<>();
    private final Map<String, Integer> perVirus = new HashMap<>();
    private Optional<Outbreak> current = Optional.empty();

    public OutbreakDetector(OutbreakSettings settings, Clock clock, Consumer<SecurityEvent> events) {
        this(() -> settings, clock, events);
    }

    /**
     * With settings read again at each detection and each look at the current outbreak, so that a change (the default
     * runtime policy's {@code outbreak.*}, docs/policy.md) applies to the next mail, to the detections already in the window too.
     */
    public OutbreakDetector(java.util.function.Supplier<OutbreakSettings> settings, Clock clock, Consumer<SecurityEvent> events) {
        this.settings = settings;
        this.clock = clock;
        this.events = events;
    }

    /** One infected mail, with the virus names found in it. */
    public synchronized void detected(List<String> virusNames) {
        Instant now = clock.instant();
        OutbreakSettings settings = this.settings.get();
        expire(now, settings);
        for (String virus : virusNames.isEmpty() ? List.of("unknown") : virusNames) {
            window.addLast(new Detection(now, virus));
            perVirus.merge(virus, 1, Integer::sum);
        }
        crossing(settings).ifPresent(cause -> {
            if (current.isEmpty()) {
                current = Optional.of(new Outbreak(now, cause, now, Map.copyOf(perVirus)));
                events.accept(SecurityEvent.of(now, "outbreak.started", Optional.empty(), Optional.empty(), List.of(),
                    Map.of("cause", cause, "detections", perVirus.toString())));
            } else {
                Outbreak outbreak = current.get();
                current = Optional.of(new Outbreak(outbreak.since(), outbreak.cause(), now, Map.copyOf(perVirus)));
            }
        });
    }

    /** The outbreak in progress, if any; ends it when its quiet period has passed. */
    public synchronized Optional<Outbreak> current() {
        Instant now = clock.instant();
        OutbreakSettings settings = this.settings.get();
        expire(now, settings);
        current.filter(outbreak -> !now.isBefore(outbreak.lastCrossing().plus(settings.quietPeriod()))).ifPresent(outbreak -> {
            current = Optional.empty();
            events.accept(SecurityEvent.of(now, "outbreak.ended", Optional.empty(), Optional.empty(), List.of(),
                Map.of("cause", outbreak.cause(), "since", outbreak.since().toString())));
        });
        return current;
    }

    /** The settings as they are now. */
    public OutbreakSettings settings() {
        return settings.get();
    }

    private Optional<String> crossing(OutbreakSettings settings) {
        Optional<Map.Entry<String, Integer>> top = perVirus.entrySet().stream().max(Map.Entry.comparingByValue());
        if (top.isPresent() && top.get().getValue() > settings.perVirus()) {
            return Optional.of(top.get().getValue() + " detections of " + top.get().getKey() + " in " + settings.window()
                + " (threshold " + settings.perVirus() + ")");
        }
        if (window.size() > settings.total()) {
            return Optional.of(window.size() + " detections in " + settings.window() + " (threshold " + settings.total() + ")");
        }
        return Optional.empty();
    }

    private void expire(Instant now, OutbreakSettings settings) {
        Instant oldest = now.minus(settings.window());
        while (!window.isEmpty() && window.peekFirst().at().isBefore(oldest)) {
            Detection gone = window.removeFirst();
            perVirus.computeIfPresent(gone.virus(), (virus, count) -> count == 1 ? null : count - 1);
        }
    }
}
