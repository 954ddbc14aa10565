package dev.bulwark.extension.tasks;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.task.TaskId;
import org.apache.james.task.TaskManager;
import org.apache.james.utils.UserDefinedStartable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.quarantine.QuarantineStore;

/**
 * When James starts ({@code guice.extension.startable} in extensions.properties), submits the check of the
 * quarantine index against the repository as a James task: what a crash left out of the index is added,
 * rows without an entry are removed, and only then do this node's listings read the index (until then they
 * read the repository, as without an index). James's distributed task manager may run the task on another
 * node sharing the index: this node waits for it to complete wherever it runs. Without this startable the
 * index is kept but never read.
 */
public class QuarantineIndexAtStart implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantineIndexAtStart.class);
    /** How long this node waits for its check before giving up (listings then read the repository until a reindex). */
    static final Duration WAIT = Duration.ofHours(6);

    private final QuarantineStore store;
    private final TaskManager tasks;
    private final ExecutorService waiter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bulwark-quarantine-index-check");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public QuarantineIndexAtStart(QuarantineStore store, TaskManager tasks) {
        this.store = store;
        this.tasks = tasks;
    }

    @Override
    public void start() {
        long mark = store.indexMark();
        TaskId task;
        try {
            task = tasks.submit(new QuarantineReindexTask(store, false, "start-up", Clock.systemUTC()));
            LOGGER.info("Quarantine index check submitted as task {}", task.asString());
        } catch (RuntimeException e) {
            LOGGER.warn("Quarantine index check could not be submitted; listings read the repository until a reindex"
                + " (POST /bulwark/quarantine?action=reindex): {}", e.getMessage());
            return;
        }
        waiter.execute(() -> {
            try {
                TaskExecutionDetails details = tasks.await(task, WAIT);
                if (details.getStatus() == TaskManager.Status.COMPLETED) {
                    store.indexChecked(mark);
                } else {
                    LOGGER.warn("Quarantine index check {} ended {}; listings read the repository until a reindex", task.asString(),
                        details.getStatus().getValue());
                }
            } catch (TaskManager.ReachedTimeoutException | RuntimeException e) {
                LOGGER.warn("Quarantine index check {} not seen to complete; listings read the repository until a reindex: {}",
                    task.asString(), e.getMessage());
            }
        });
    }

    @PreDestroy
    public void stop() {
        waiter.shutdownNow();
    }
}
