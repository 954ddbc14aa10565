package dev.bulwark.extension.rescan;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.task.TaskId;
import org.apache.james.task.TaskManager;
import org.apache.james.task.TaskNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.quarantine.QuarantineRelease;
import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.security.SecurityStore;

/**
 * Starts {@link RetroactiveRescanTask}s: on a signature update seen by the integrity watch (when
 * {@code rescan.onSignatureUpdate}), or on an admin's request. One at a time, and at most one per
 * {@code rescan.minInterval}: an update seen sooner is remembered and rescanned once the interval has
 * passed, so daily (or hourly) signature updates cannot keep the scanners busy with old mail.
 */
@Singleton
public class RetroactiveRescan {
    private static final Logger LOGGER = LoggerFactory.getLogger(RetroactiveRescan.class);

    private final TaskManager tasks;
    private final RetroactiveRescanTask.Services services;
    private final Clock clock;
    private Optional<TaskId> last = Optional.empty();
    private Optional<Instant> lastStarted = Optional.empty();
    private Optional<String> pending = Optional.empty();

    @Inject
    public RetroactiveRescan(TaskManager tasks, QuarantineStore quarantine, QuarantineRelease release, Scanners scanners,
                             SecurityStore security, HeldMailRescan heldMail, DeliveredMailRescan delivered, BulwarkConfiguration configuration) {
        this.tasks = tasks;
        this.services = new RetroactiveRescanTask.Services(quarantine, release, scanners.clamd(), security, heldMail, delivered,
            configuration.rescan());
        this.clock = Clock.systemUTC();
    }

    /** A clamd now has other signatures than before: rescan, now or once the minimum interval has passed. */
    public synchronized void signaturesUpdated(String description) {
        if (!services.settings().onSignatureUpdate()) {
            LOGGER.info("Signature update ({}); retroactive rescan is off (rescan.onSignatureUpdate=false)", description);
            return;
        }
        pending = Optional.of("signature update: " + description);
        submitIfDue();
    }

    /** Starts the rescan of a remembered update once it is due; the integrity watch calls this every round. */
    public synchronized void submitIfDue() {
        if (pending.isEmpty() || running()) {
            return;
        }
        if (lastStarted.isPresent() && clock.instant().isBefore(lastStarted.get().plus(services.settings().minInterval()))) {
            return;
        }
        submit(pending.get());
    }

    /** An admin's request: starts at once, whatever the minimum interval. */
    public synchronized TaskId submitNow(String requestedBy) {
        return submit("requested by " + requestedBy);
    }

    /** A rescan task for this trigger, not submitted (a task read back from its JSON form). */
    public RetroactiveRescanTask task(String trigger) {
        return new RetroactiveRescanTask(services, trigger, clock);
    }

    private TaskId submit(String trigger) {
        TaskId id = tasks.submit(task(trigger));
        LOGGER.info("Retroactive rescan submitted as task {} ({})", id.asString(), trigger);
        last = Optional.of(id);
        lastStarted = Optional.of(clock.instant());
        pending = Optional.empty();
        return id;
    }

    private boolean running() {
        if (last.isEmpty()) {
            return false;
        }
        try {
            return !tasks.getExecutionDetails(last.get()).getStatus().isFinished();
        } catch (TaskNotFoundException e) {
            return false;
        }
    }
}
