package dev.bulwark.extension.tasks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.task.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.security.SecurityEvents;
import dev.bulwark.security.StoreException;

/** Deletes security events older than the retention, as a James task (cancellable between batches). */
public class EventPurgeTask implements Task {
    public static final TaskType TYPE = TaskType.of("bulwark-event-purge");
    private static final Logger LOGGER = LoggerFactory.getLogger(EventPurgeTask.class);

    public record Details(Instant olderThan, long deletedEvents, Instant timestamp) implements TaskExecutionDetails.AdditionalInformation {
    }

    private final SecurityEvents events;
    private final Instant olderThan;
    private final Clock clock;
    private volatile long deleted;

    public EventPurgeTask(SecurityEvents events, Duration retention, Clock clock) {
        this(events, clock.instant().minus(retention), clock);
    }

    /** @param olderThan events before this instant are deleted (a task read back from its JSON form) */
    EventPurgeTask(SecurityEvents events, Instant olderThan, Clock clock) {
        this.events = events;
        this.olderThan = olderThan;
        this.clock = clock;
    }

    Instant olderThan() {
        return olderThan;
    }

    @Override
    public Result run() throws InterruptedException {
        try {
            deleted = events.deleteBefore(olderThan);
            LOGGER.info("Security events older than {}: {} deleted", olderThan, deleted);
            return Result.COMPLETED;
        } catch (StoreException e) {
            LOGGER.error("Security event purge failed: {}", e.getMessage());
            return Result.PARTIAL;
        }
    }

    @Override
    public TaskType type() {
        return TYPE;
    }

    @Override
    public Optional<TaskExecutionDetails.AdditionalInformation> details() {
        return Optional.of(new Details(olderThan, deleted, clock.instant()));
    }
}
