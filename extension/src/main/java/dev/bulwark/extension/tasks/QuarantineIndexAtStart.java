package dev.bulwark.extension.tasks;

import java.time.Clock;

import javax.inject.Inject;

import org.apache.james.task.TaskManager;
import org.apache.james.utils.UserDefinedStartable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.quarantine.QuarantineStore;

/**
 * When James starts ({@code guice.extension.startable} in extensions.properties), submits the check of the
 * quarantine index against the repository as a James task: what a crash left out of the index is added,
 * rows without an entry are removed, and only then do listings read the index (until then they read the
 * repository, as without an index). Without this startable the index is kept but never read.
 */
public class QuarantineIndexAtStart implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantineIndexAtStart.class);

    private final QuarantineStore store;
    private final TaskManager tasks;

    @Inject
    public QuarantineIndexAtStart(QuarantineStore store, TaskManager tasks) {
        this.store = store;
        this.tasks = tasks;
    }

    @Override
    public void start() {
        try {
            LOGGER.info("Quarantine index check submitted as task {}",
                tasks.submit(new QuarantineReindexTask(store, false, "start-up", Clock.systemUTC())).asString());
        } catch (RuntimeException e) {
            LOGGER.warn("Quarantine index check could not be submitted; listings read the repository until a reindex"
                + " (POST /bulwark/quarantine?action=reindex): {}", e.getMessage());
        }
    }
}
