package dev.bulwark.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.extension.ExtensionContext;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.ConfFolder;
import dev.bulwark.launcher.Installation;
import dev.bulwark.launcher.ScannerEndpoints;
import dev.bulwark.launcher.WebAdminJwt;
import dev.bulwark.scanner.testing.ScannerDaemons;

/**
 * Starts Bulwark Jameses for a test (through the launcher's {@link BulwarkJames}, as the main job does), each
 * in a work directory of its own on the run's scanners, with james-conf/ as it is plus the test's edits. What is still running when the test ends (or the class,
 * when a {@code @BeforeAll} method asked for it) is stopped, and every work directory it made removed.
 * Tests get one from {@link JamesStarterExtension}; {@link BulwarkJamesExtension} starts its James with one.
 */
public final class JamesStarter implements ExtensionContext.Store.CloseableResource {
    /** Webadmin's JWT key pair for every James of this test JVM (the sample turns authentication on). */
    static final WebAdminJwt TEST_KEYS = WebAdminJwt.generate();

    private final ScannerDaemons daemons;
    private final List<Path> workDirs = new ArrayList<>();
    private final Deque<BulwarkJames> started = new ArrayDeque<>();

    JamesStarter(ScannerDaemons daemons) {
        this.daemons = daemons;
    }

    /** A fresh, empty work directory, removed with the others. */
    public synchronized Path workDir() throws IOException {
        Path workDir = WorkDirs.create();
        workDirs.add(workDir);
        return workDir;
    }

    /** A James with Bulwark in a fresh work directory; throws what James's start-up threw. */
    public BulwarkJames start(Consumer<ConfFolder> edits) throws Exception {
        return start(workDir(), edits);
    }

    /** Prepares {@code workDir} (conf/ from james-conf/ with the edits, the jar in extensions-jars/) and starts James on it. */
    public BulwarkJames start(Path workDir, Consumer<ConfFolder> edits) throws Exception {
        return start(workDir, TEST_KEYS, edits);
    }

    /** The same, with webadmin trusting {@code jwt} instead of the tests' shared key pair. */
    public BulwarkJames start(Path workDir, WebAdminJwt jwt, Consumer<ConfFolder> edits) throws Exception {
        ScannerEndpoints scanners = new ScannerEndpoints(daemons.clamdAddress(), daemons.spamdAddress());
        ConfFolder conf = BulwarkJames.prepare(workDir, Installation.find(), scanners, BulwarkJames.Ports.ANY, jwt)
            // The pipeline canary's background mail would make the counts other tests assert racy: tests that need it turn it on.
            .setProperty("bulwark.properties", "canary.interval", "0");
        edits.accept(conf);
        return restart(workDir, jwt);
    }

    /** Starts James again on a work directory prepared before (a restart: the earlier James closed, its data kept). */
    public BulwarkJames restart(Path workDir) throws Exception {
        return restart(workDir, TEST_KEYS);
    }

    private synchronized BulwarkJames restart(Path workDir, WebAdminJwt jwt) throws Exception {
        BulwarkJames james = BulwarkJames.start(workDir, jwt);
        started.push(james);
        return james;
    }

    /** Stops the Jameses still running, the last started first, then removes the work directories. */
    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        workDirs.forEach(WorkDirs::delete);
        if (failure != null) {
            throw failure;
        }
    }
}
