package dev.bulwark.mailets;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/** Keeps the events a mailet records, for assertions. */
final class RecordedEvents implements SecurityEventSink {
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(SecurityEvent event) {
        events.add(event);
    }

    List<SecurityEvent> all() {
        return List.copyOf(events);
    }
}
