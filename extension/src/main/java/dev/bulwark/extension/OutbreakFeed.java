package dev.bulwark.extension;

import java.util.Arrays;
import java.util.List;

import dev.bulwark.security.OutbreakDetector;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/** Passes every event on to the store's writer, and each {@code verdict.infected} to the outbreak detector. */
final class OutbreakFeed implements SecurityEventSink {
    private final SecurityEventSink next;
    private final OutbreakDetector detector;

    OutbreakFeed(SecurityEventSink next, OutbreakDetector detector) {
        this.next = next;
        this.detector = detector;
    }

    @Override
    public void record(SecurityEvent event) {
        next.record(event);
        if (event.kind().equals("verdict.infected")) {
            List<String> names = Arrays.stream(event.details().getOrDefault("virusNames", "").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).toList();
            detector.detected(names);
        }
    }
}
