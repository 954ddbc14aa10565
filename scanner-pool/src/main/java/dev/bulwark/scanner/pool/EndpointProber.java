package dev.bulwark.scanner.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One background thread per pool that PINGs the endpoints taken out of service and puts back those that
 * answer, so that recovery needs no mail traffic and no mail is spent testing a dead daemon.
 */
final class EndpointProber implements AutoCloseable {

    interface Ping {
        void ping() throws IOException;
    }

    /** An endpoint to watch; {@code onBack} runs before it takes work again (e.g. drop stale connections). */
    record Target(EndpointHealth health, Ping ping, Runnable onBack) {
    }

    private final ScheduledExecutorService executor;
    private final Supplier<List<Target>> targets;

    /** @param targets the endpoints as they are now: a pool's members may change */
    EndpointProber(String threadName, Duration interval, Supplier<List<Target>> targets) {
        this.targets = targets;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(() -> probe(false), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * PINGs the endpoints out of service, and with {@code all} those in service too: an answer puts an
     * endpoint back, no answer takes it out.
     */
    void probe(boolean all) {
        for (Target target : targets.get()) {
            boolean wasAvailable = target.health().isAvailable();
            if (!all && wasAvailable) {
                continue;
            }
            try {
                target.ping().ping();
                if (!wasAvailable) {
                    target.onBack().run();
                    target.health().up();
                }
            } catch (IOException | RuntimeException e) {
                target.health().down("no answer to PING: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
