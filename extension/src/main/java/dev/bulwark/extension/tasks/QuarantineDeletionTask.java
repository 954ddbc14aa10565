package dev.bulwark.extension.tasks;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.task.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.quarantine.QuarantineEvents;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineStorageException;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.security.SecurityStore;

/**
 * Deletes the quarantine entries a filter matches, as a James task: listed in webadmin's
 * {@code /tasks}, cancellable there (it stops between entries). The purge of expired entries is this
 * task with {@link QuarantineFilter#EXPIRED}.
 */
public class QuarantineDeletionTask implements Task {
    public static final TaskType DELETION = TaskType.of("bulwark-quarantine-deletion");
    public static final TaskType PURGE = TaskType.of("bulwark-quarantine-purge");
    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantineDeletionTask.class);

    /** Progress shown by the task manager. */
    public record Details(long deletedEntries, Instant timestamp) implements TaskExecutionDetails.AdditionalInformation {
    }

    private final QuarantineStore store;
    private final SecurityStore security;
    private final QuarantineFilter filter;
    private final String requestedBy;
    private final Clock clock;
    private final AtomicLong deleted = new AtomicLong();

    /** @param requestedBy who asked: a webadmin login or client address, or "purge schedule" */
    public QuarantineDeletionTask(QuarantineStore store, SecurityStore security, QuarantineFilter filter, String requestedBy, Clock clock) {
        this.store = store;
        this.security = security;
        this.filter = filter;
        this.requestedBy = requestedBy;
        this.clock = clock;
    }

    public static QuarantineDeletionTask purge(QuarantineStore store, SecurityStore security, String requestedBy, Clock clock) {
        return new QuarantineDeletionTask(store, security, QuarantineFilter.EXPIRED, requestedBy, clock);
    }

    @Override
    public Result run() throws InterruptedException {
        try {
            store.deleteMatching(filter, entry -> {
                deleted.incrementAndGet();
                QuarantineEvents.record(security, type() == PURGE ? QuarantineEvents.EXPIRED : QuarantineEvents.DELETED, entry,
                    entry.recipients(), Map.of("deletedBy", requestedBy, "task", type().asString()));
            });
            LOGGER.info("Quarantine {}: {} entries deleted", type().asString(), deleted.get());
            return Result.COMPLETED;
        } catch (QuarantineStorageException e) {
            LOGGER.error("Quarantine {} stopped after {} entries: {}", type().asString(), deleted.get(), e.getMessage());
            return Result.PARTIAL;
        }
    }

    QuarantineFilter filter() {
        return filter;
    }

    String requestedBy() {
        return requestedBy;
    }

    @Override
    public TaskType type() {
        return filter.expiredOnly() && filter.equals(QuarantineFilter.EXPIRED) ? PURGE : DELETION;
    }

    @Override
    public Optional<TaskExecutionDetails.AdditionalInformation> details() {
        return Optional.of(new Details(deleted.get(), clock.instant()));
    }
}
