package dev.bulwark.extension.canary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.inject.Singleton;

import dev.bulwark.security.SecurityEvent;

/**
 * The events the pipeline recorded about canary carriers (detail {@code canary}), kept for the round they
 * belong to until the watch reads them; never stored, counted or fed to the outbreak detector. Events of a
 * round no longer open (a carrier that turned up after its deadline) are dropped.
 */
@Singleton
public class CanaryObservations {
    /** The event detail that names a carrier and its round ({@code <carrier>/<round>}). */
    static final String DETAIL = dev.bulwark.extension.store.EventFanOut.CANARY_DETAIL;

    private final Map<String, Queue<SecurityEvent>> rounds = new ConcurrentHashMap<>();

    public void observe(SecurityEvent event) {
        String value = event.details().getOrDefault(DETAIL, "");
        String round = value.contains("/") ? value.substring(value.indexOf('/') + 1) : value;
        Queue<SecurityEvent> events = rounds.get(round);
        if (events != null) {
            events.add(event);
        }
    }

    void open(String round) {
        rounds.put(round, new ConcurrentLinkedQueue<>());
    }

    /** The events seen for the round since the last call. */
    List<SecurityEvent> drain(String round) {
        List<SecurityEvent> drained = new ArrayList<>();
        Queue<SecurityEvent> events = rounds.get(round);
        if (events != null) {
            for (SecurityEvent event = events.poll(); event != null; event = events.poll()) {
                drained.add(event);
            }
        }
        return drained;
    }

    void close(String round) {
        rounds.remove(round);
    }
}
