package dev.bulwark.extension;

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

import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.security.SecurityStore;

/**
 * Submits the purge of expired quarantine entries to James's task manager every
 * {@code quarantine.purgeInterval} (a day by default), the first a minute after start-up, so that it
 * shows in webadmin's {@code /tasks} like any other James task.
 */
public class QuarantinePurgeSchedule implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantinePurgeSchedule.class);
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);

    private final QuarantineStore store;
    private final SecurityStore security;
    private final TaskManager tasks;
    private final Duration interval;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bulwark-quarantine-purge");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public QuarantinePurgeSchedule(QuarantineStore store, SecurityStore security, TaskManager tasks, BulwarkConfiguration configuration) {
        this.store = store;
        this.security = security;
        this.tasks = tasks;
        this.interval = configuration.quarantine().purgeInterval();
    }

    @Override
    public void start() {
        long first = Math.min(FIRST_RUN.toMillis(), interval.toMillis());
        executor.scheduleWithFixedDelay(this::submit, first, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void submit() {
        try {
            LOGGER.info("Quarantine purge submitted as task {}", tasks.submit(QuarantineDeletionTask.purge(store, security, "purge schedule", Clock.systemUTC())).asString());
        } catch (RuntimeException e) {
            LOGGER.warn("Quarantine purge could not be submitted; next try in {}: {}", interval, e.getMessage());
        }
    }

    @PreDestroy
    public void stop() {
        executor.shutdownNow();
    }
}
