package dev.bulwark.extension.store;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

import dev.bulwark.security.OutbreakDetector;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/**
 * Where mail processing's security events go: to the store's async writer; into a James metric per
 * kind ({@code bulwark_verdict_infected}, {@code bulwark_quarantine_stored}..., so that they appear
 * wherever James exports metrics); and each {@code verdict.infected} to the outbreak detector. Events about the
 * pipeline canary's carriers (detail {@code canary}) go only to the canary watch: never stored, counted or
 * taken for an outbreak.
 */
public final class EventFanOut implements SecurityEventSink {
    private final SecurityEventSink writer;
    private final OutbreakDetector detector;
    private final MetricFactory metrics;
    private final SecurityEventSink canary;
    private final Map<String, Metric> counters = new ConcurrentHashMap<>();

    public EventFanOut(SecurityEventSink writer, OutbreakDetector detector, MetricFactory metrics, SecurityEventSink canary) {
        this.writer = writer;
        this.detector = detector;
        this.metrics = metrics;
        this.canary = canary;
    }

    /** The detail the pipeline puts on events about canary carriers. */
    public static final String CANARY_DETAIL = "canary";

    static String metricName(String kind) {
        return "bulwark_" + kind.replace('.', '_').replace('-', '_').toLowerCase(Locale.ROOT);
    }

    @Override
    public void record(SecurityEvent event) {
        if (event.details().containsKey(CANARY_DETAIL)) {
            canary.record(event);
            return;
        }
        writer.record(event);
        counters.computeIfAbsent(event.kind(), kind -> metrics.generate(metricName(kind))).increment();
        if (event.kind().equals("verdict.infected")) {
            List<String> names = Arrays.stream(event.details().getOrDefault("virusNames", "").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).toList();
            detector.detected(names);
        }
    }
}
