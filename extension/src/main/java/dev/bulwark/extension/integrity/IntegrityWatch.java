package dev.bulwark.extension.integrity;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.utils.UserDefinedStartable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.alerts.AdminAlerts;
import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.rescan.RetroactiveRescan;
import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.IntegrityProbe;
import dev.bulwark.scanner.integrity.ProbeTarget;
import dev.bulwark.scanner.integrity.ScannerState;
import dev.bulwark.scanner.pool.EngineKind;
import dev.bulwark.scanner.pool.EnginePool;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.StoreException;

/**
 * The integrity watch: from James's start, independent of mail, every {@code watch.interval} each
 * endpoint of every engine pool is probed (PING, VERSION where the engine reports one, its EICAR/GTUBE
 * self-test). Each change of an endpoint's condition (down, broken, degraded, recovered) is a security
 * event ({@code scanner.<condition>}) and a log line; a broken endpoint is marked in its pool until a
 * self-test passes; a new signature version of a virus engine starts the retroactive rescan.
 * {@link IntegrityHealthCheck} and {@code GET /bulwark/scanners} report the latest states.
 */
@Singleton
public class IntegrityWatch implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(IntegrityWatch.class);

    private final Scanners scanners;
    private final SecurityStore security;
    private final dev.bulwark.security.OutbreakDetector outbreaks;
    private final AdminAlerts alerts;
    private final RetroactiveRescan rescan;
    private final IntegrityProbe probe;
    private final long intervalMillis;
    private final Map<String, ScannerState> states = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bulwark-integrity-watch");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public IntegrityWatch(Scanners scanners, SecurityStore security, dev.bulwark.security.OutbreakDetector outbreaks,
                          AdminAlerts alerts, RetroactiveRescan rescan, BulwarkConfiguration configuration) {
        this.alerts = alerts;
        this.rescan = rescan;
        this.scanners = scanners;
        this.security = security;
        this.outbreaks = outbreaks;
        this.probe = new IntegrityProbe(configuration.watch().maxSignatureAge(), Clock.systemUTC());
        this.intervalMillis = configuration.watch().interval().toMillis();
    }

    @Override
    public void start() {
        executor.scheduleWithFixedDelay(this::checkAll, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** The latest state of every endpoint, in the pools' order (virus engines first); empty until the first round has run. */
    public List<ScannerState> states() {
        List<ScannerState> all = new ArrayList<>();
        for (EnginePool<?, ?, ?> pool : scanners.pools()) {
            for (ProbeTarget client : pool.clients()) {
                Optional.ofNullable(states.get(key(client.daemon(), client.endpoint()))).ifPresent(all::add);
            }
        }
        return all;
    }

    void checkAll() {
        try {
            for (EnginePool<?, ?, ?> pool : scanners.pools()) {
                pool.clients().forEach(client -> update(pool, probe.check(client)));
            }
            // An outbreak ends after its quiet period even when no mail arrives to notice it.
            outbreaks.current();
            submitDueRescan();
        } catch (RuntimeException e) {
            // The next round tries again.
            LOGGER.warn("Integrity watch round failed: {}", e.getMessage());
        }
    }

    private void submitDueRescan() {
        try {
            rescan.submitIfDue();
        } catch (RuntimeException e) {
            LOGGER.error("Retroactive rescan not started: {}", e.toString());
        }
    }

    private void update(EnginePool<?, ?, ?> pool, ScannerState state) {
        // Out of the pool before the state is published: nothing reads BROKEN for an endpoint still in service.
        takeOutIfBroken(pool, state);
        ScannerState previous = states.put(key(state.daemon(), state.endpoint()), state);
        if (previous != null && pool.kind() == EngineKind.VIRUS) {
            noticeSignatureUpdate(previous, state);
        }
        if (previous != null && previous.condition() == state.condition()) {
            return;
        }
        if (previous == null && state.condition() == ScannerState.Condition.HEALTHY) {
            LOGGER.info("Integrity watch: {} at {} is healthy ({})", state.daemon(), state.endpoint(), state.engine().orElse(state.reason()));
            return;
        }
        String kind = state.condition() == ScannerState.Condition.HEALTHY ? "scanner.recovered"
            : "scanner." + state.condition().name().toLowerCase(java.util.Locale.ROOT);
        if (state.condition() == ScannerState.Condition.HEALTHY) {
            LOGGER.info("Integrity watch: {} at {} recovered", state.daemon(), state.endpoint());
        } else {
            LOGGER.warn("Integrity watch: {} at {} is {}: {}", state.daemon(), state.endpoint(), state.condition(), state.reason());
        }
        Map<String, String> details = new java.util.HashMap<>(Map.of("daemon", state.daemon(), "endpoint", state.endpoint().toString(),
            "reason", state.reason()));
        state.engine().ifPresent(engine -> details.put("engine", engine));
        if (previous != null) {
            details.put("previous", previous.condition().name());
        }
        alerts.alert("[Bulwark] " + state.daemon() + " at " + state.endpoint() + " is " + state.condition(),
            state.daemon() + " at " + state.endpoint() + ": " + state.condition() + "\n\n" + state.reason()
                + (previous != null ? "\n\nBefore: " + previous.condition() : "")
                + "\n\nDetails: GET /bulwark/scanners and GET /healthcheck/checks/Bulwark%20integrity");
        try {
            security.events().record(SecurityEvent.of(state.checkedAt(), kind, Optional.empty(), Optional.empty(), List.of(), details));
        } catch (StoreException e) {
            LOGGER.error("Security event {} not stored: {}", kind, e.getMessage());
        }
    }

    /**
     * A daemon that answers but does not detect would pass every mail as clean: the pool stops using it
     * until a self-test passes again (DOWN is the pool's own business: it sees dead connections).
     */
    private static void takeOutIfBroken(EnginePool<?, ?, ?> pool, ScannerState state) {
        if (state.condition() == ScannerState.Condition.BROKEN) {
            pool.selfTestFailed(state.endpoint(), state.reason());
        } else if (state.condition().usable()) {
            pool.selfTestPassed(state.endpoint());
        }
    }

    /**
     * A virus engine's version names its engine and signature database version (clamd's VERSION:
     * {@code ClamAV 1.4.6/27001/<date>}): a different answer from a working engine means new signatures, and
     * mail judged before deserves another look. An engine that was down has no answer to compare: its last
     * known one is kept.
     */
    private void noticeSignatureUpdate(ScannerState previous, ScannerState state) {
        if (state.engine().isEmpty() || !state.condition().usable()) {
            if (previous.engine().isPresent() && state.engine().isEmpty()) {
                states.put(key(state.daemon(), state.endpoint()), new ScannerState(state.daemon(), state.endpoint(), state.condition(),
                    state.reason(), previous.engine(), previous.signatureDate(), state.checkedAt()));
            }
            return;
        }
        if (previous.engine().isEmpty() || previous.engine().equals(state.engine())) {
            return;
        }
        String description = state.daemon() + " at " + state.endpoint() + " now " + state.engine().get() + ", before " + previous.engine().get();
        LOGGER.info("Integrity watch: signature update, {}", description);
        try {
            security.events().record(SecurityEvent.of(state.checkedAt(), "signatures.updated", Optional.empty(), Optional.empty(), List.of(),
                Map.of("daemon", state.daemon(), "endpoint", state.endpoint().toString(), "engine", state.engine().get(),
                    "previous", previous.engine().get())));
        } catch (StoreException e) {
            LOGGER.error("Security event signatures.updated not stored: {}", e.getMessage());
        }
        try {
            rescan.signaturesUpdated(description);
        } catch (RuntimeException e) {
            // The watch goes on; an admin can start the rescan over webadmin.
            LOGGER.error("Retroactive rescan after the signature update not started: {}", e.toString());
        }
    }

    private static String key(String daemon, Endpoint endpoint) {
        return daemon + " " + endpoint;
    }

    @PreDestroy
    public void stop() {
        executor.shutdownNow();
    }
}
