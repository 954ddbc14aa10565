package dev.bulwark.extension.tasks;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.task.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.quarantine.QuarantineStorageException;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.quarantine.Reconciliation;

/**
 * Brings the quarantine index in line with the quarantine repository, as a James task (listed and
 * cancellable in webadmin's {@code /tasks}). At start-up ({@link QuarantineIndexAtStart}) it adds the entries
 * the index lacks and removes rows without an entry; asked for over webadmin
 * ({@code POST /bulwark/quarantine?action=reindex}) it also rewrites every row from its entry.
 */
public class QuarantineReindexTask implements Task {
    public static final TaskType TYPE = TaskType.of("bulwark-quarantine-reindex");
    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantineReindexTask.class);

    /** Progress shown by the task manager; {@code full}: every row rewritten, not only the missing ones added. */
    public record Details(boolean full, String requestedBy, long entries, long added, long rewritten, long removed, Instant timestamp)
        implements TaskExecutionDetails.AdditionalInformation {
    }

    private final QuarantineStore store;
    private final boolean full;
    private final String requestedBy;
    private final Clock clock;
    private final AtomicReference<Reconciliation> progress = new AtomicReference<>(new Reconciliation(0, 0, 0, 0));

    /** @param requestedBy who asked: a webadmin login or client address, or "start-up" */
    public QuarantineReindexTask(QuarantineStore store, boolean full, String requestedBy, Clock clock) {
        this.store = store;
        this.full = full;
        this.requestedBy = requestedBy;
        this.clock = clock;
    }

    @Override
    public Result run() throws InterruptedException {
        try {
            Reconciliation done = store.reconcile(full, progress::set);
            LOGGER.info("Quarantine {}: {} entries, {} added to the index, {} rewritten, {} rows without an entry removed",
                full ? "reindex" : "index check", done.entries(), done.added(), done.rewritten(), done.removed());
            return Result.COMPLETED;
        } catch (QuarantineStorageException | dev.bulwark.security.StoreException e) {
            LOGGER.error("Quarantine reindex stopped: {}; listings read the repository until a reindex completes", e.getMessage());
            return Result.PARTIAL;
        }
    }

    boolean full() {
        return full;
    }

    String requestedBy() {
        return requestedBy;
    }

    @Override
    public TaskType type() {
        return TYPE;
    }

    @Override
    public Optional<TaskExecutionDetails.AdditionalInformation> details() {
        Reconciliation now = progress.get();
        return Optional.of(new Details(full, requestedBy, now.entries(), now.added(), now.rewritten(), now.removed(), clock.instant()));
    }
}
