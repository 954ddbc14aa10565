package dev.bulwark.extension.tasks;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.task.TaskManager;
import org.apache.james.utils.UserDefinedStartable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.security.SecurityStore;

/**
 * Every {@code quarantine.purgeInterval} (a day by default), the first a minute after start-up, submits
 * two James tasks, visible and cancellable in webadmin's {@code /tasks}: the purge of expired
 * quarantine entries, and the purge of security events older than {@code store.eventRetention}.
 */
public class PurgeSchedule implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(PurgeSchedule.class);
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);

    private final QuarantineStore store;
    private final SecurityStore security;
    private final TaskManager tasks;
    private final Duration interval;
    private final Duration eventRetention;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bulwark-purge-schedule");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public PurgeSchedule(QuarantineStore store, SecurityStore security, TaskManager tasks, BulwarkConfiguration configuration) {
        this.store = store;
        this.security = security;
        this.tasks = tasks;
        this.interval = configuration.quarantine().purgeInterval();
        this.eventRetention = configuration.store().eventRetention();
    }

    @Override
    public void start() {
        long first = Math.min(FIRST_RUN.toMillis(), interval.toMillis());
        executor.scheduleWithFixedDelay(this::submit, first, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void submit() {
        try {
            LOGGER.info("Quarantine purge submitted as task {}",
                tasks.submit(QuarantineDeletionTask.purge(store, security, "purge schedule", Clock.systemUTC())).asString());
            LOGGER.info("Security event purge submitted as task {}",
                tasks.submit(new EventPurgeTask(security.events(), eventRetention, Clock.systemUTC())).asString());
        } catch (RuntimeException e) {
            LOGGER.warn("Purges could not be submitted; next try in {}: {}", interval, e.getMessage());
        }
    }

    @PreDestroy
    public void stop() {
        executor.shutdownNow();
    }
}
