package dev.bulwark.scanner.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A clamd and spamd of one test class's own (scripts/scanners.sh, free loopback ports), for what the run's
 * shared daemons must not go through: a daemon stopped, killed, paused, restarted, started late, or
 * loading other signatures. Register it with {@code @RegisterExtension} on a static field: it starts
 * before the class's first test (unless {@link #startedByTest()}) and is stopped, and its folder removed,
 * after the class, after whatever the class started later (a James on it is stopped first).
 *
 * <p>Unlike its settings, which are fixed when it is declared, the handle knows which daemons it paused,
 * so that stopping it never waits on a stopped process.
 */
public final class PrivateScanners implements BeforeAllCallback, AutoCloseable {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PrivateScanners.class);

    /** The two daemons, by the name of their pid file in the run folder. */
    public enum Daemon {
        CLAMD, SPAMD;

        String pidFile() {
            return name().toLowerCase(java.util.Locale.ROOT) + ".pid";
        }
    }

    /** Writes signature files (.hdb, .ndb...) into the folder given, for clamd to load instead of the project's. */
    @FunctionalInterface
    public interface Signatures {
        void writeInto(Path folder) throws IOException;
    }

    private final String host;
    private final int clamdPort;
    private final int spamdPort;
    private final Optional<Signatures> signatures;
    private final Optional<Signatures> spamdUserPrefs;
    private final Optional<String> spamdLocalCf;
    private final boolean startedBeforeAll;
    private final Set<Daemon> paused = EnumSet.noneOf(Daemon.class);
    private Path folder;

    private PrivateScanners(String host, int clamdPort, int spamdPort, Optional<Signatures> signatures, Optional<Signatures> spamdUserPrefs,
                            boolean startedBeforeAll) {
        this(host, clamdPort, spamdPort, signatures, spamdUserPrefs, Optional.empty(), startedBeforeAll);
    }

    private PrivateScanners(String host, int clamdPort, int spamdPort, Optional<Signatures> signatures, Optional<Signatures> spamdUserPrefs,
                            Optional<String> spamdLocalCf, boolean startedBeforeAll) {
        this.spamdLocalCf = spamdLocalCf;
        this.host = host;
        this.clamdPort = clamdPort;
        this.spamdPort = spamdPort;
        this.signatures = signatures;
        this.spamdUserPrefs = spamdUserPrefs;
        this.startedBeforeAll = startedBeforeAll;
    }

    /** On 127.0.0.1, ports nothing listens on yet, the project's signatures, started before the class's tests. */
    public static PrivateScanners onFreePorts() {
        return new PrivateScanners("127.0.0.1", Ports.unused(), Ports.unused(), Optional.empty(), Optional.empty(), true);
    }

    /** On another loopback address ({@code 127.0.0.2}...). */
    public PrivateScanners onHost(String otherHost) {
        return new PrivateScanners(otherHost, clamdPort, spamdPort, signatures, spamdUserPrefs, spamdLocalCf, startedBeforeAll);
    }

    /** clamd on this port (e.g. the port of another private clamd, on another host). */
    public PrivateScanners withClamdPort(int port) {
        return new PrivateScanners(host, port, spamdPort, signatures, spamdUserPrefs, spamdLocalCf, startedBeforeAll);
    }

    /** clamd loading what {@code writer} puts into an empty folder, instead of scripts/signatures. */
    public PrivateScanners withSignatures(Signatures writer) {
        return new PrivateScanners(host, clamdPort, spamdPort, Optional.of(writer), spamdUserPrefs, spamdLocalCf, startedBeforeAll);
    }

    /**
     * spamd reading per-user preferences from what {@code writer} puts into an empty folder:
     * {@code <user>/user_prefs}, {@code <user>} as Bulwark sends it in spamc's {@code User:} (the recipient).
     */
    public PrivateScanners withSpamdUserPrefs(Signatures writer) {
        return new PrivateScanners(host, clamdPort, spamdPort, signatures, Optional.of(writer), spamdLocalCf, startedBeforeAll);
    }

    /** spamd with these SpamAssassin settings for every user, as lines of local.cf (e.g. lowered Bayes minimums). */
    public PrivateScanners withSpamdLocalCf(String settings) {
        return new PrivateScanners(host, clamdPort, spamdPort, signatures, spamdUserPrefs, Optional.of(settings), startedBeforeAll);
    }

    /** Not started before the class: a test calls {@link #start()} when the daemons are to appear. */
    public PrivateScanners startedByTest() {
        return new PrivateScanners(host, clamdPort, spamdPort, signatures, spamdUserPrefs, spamdLocalCf, false);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        // Stored now, before anything the class starts on these daemons, so that it is closed after them.
        context.getStore(NAMESPACE).put(this, (ExtensionContext.Store.CloseableResource) this::stopAndRemove);
        if (startedBeforeAll) {
            start();
        }
    }

    /** Starts what is not running (both daemons at first; after {@link #kill}, the killed one). Returns this, to stop it with try-with-resources. */
    public synchronized PrivateScanners start() throws IOException {
        if (folder == null) {
            folder = Files.createTempDirectory("bulwark-private-scanners");
        }
        Optional<Path> signatureFolder = Optional.empty();
        if (signatures.isPresent()) {
            Path written = folder.resolve("signatures");
            if (!Files.isDirectory(written)) {
                signatures.get().writeInto(Files.createDirectories(written));
            }
            signatureFolder = Optional.of(written);
        }
        Optional<Path> prefsFolder = Optional.empty();
        if (spamdUserPrefs.isPresent()) {
            Path written = folder.resolve("spamd-user-prefs");
            if (!Files.isDirectory(written)) {
                spamdUserPrefs.get().writeInto(Files.createDirectories(written));
            }
            prefsFolder = Optional.of(written);
        }
        Optional<Path> localCf = Optional.empty();
        if (spamdLocalCf.isPresent()) {
            localCf = Optional.of(Files.writeString(folder.resolve("spamd-local.cf"), spamdLocalCf.get()));
        }
        ScannerDaemonsExtension.startPrivateDaemons(runFolder(), host, clamdPort, spamdPort, signatureFolder, prefsFolder, localCf);
        return this;
    }

    /** Stops both daemons (scripts/scanners.sh stop), resuming a paused one first. */
    public synchronized void stop() throws IOException {
        if (folder == null) {
            return;
        }
        for (Daemon daemon : Set.copyOf(paused)) {
            resume(daemon);
        }
        ScannerDaemonsExtension.stopPrivateDaemons(runFolder(), host, clamdPort, spamdPort);
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    /** SIGKILL: the daemon is gone without a word, as after a crash; {@link #start()} brings it back. */
    public synchronized void kill(Daemon daemon) throws IOException {
        ProcessHandle.of(pid(daemon)).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** SIGSTOP: the daemon keeps its connections open and answers nothing, as when stalled. */
    public synchronized void pause(Daemon daemon) throws IOException {
        signal(daemon, "-STOP");
        paused.add(daemon);
    }

    /** SIGCONT, when the daemon has a pid file (i.e. was started and not stopped). */
    public synchronized void resume(Daemon daemon) throws IOException {
        if (folder != null && Files.exists(runFolder().resolve(daemon.pidFile()))) {
            signal(daemon, "-CONT");
        }
        paused.remove(daemon);
    }

    public String clamdAddress() {
        return host + ":" + clamdPort;
    }

    public String spamdAddress() {
        return host + ":" + spamdPort;
    }

    public int clamdPort() {
        return clamdPort;
    }

    public int spamdPort() {
        return spamdPort;
    }

    /** The folder clamd loads its signatures from (where freshclam would put an update). */
    public synchronized Path databaseFolder() {
        if (folder == null) {
            throw new IllegalStateException("not started yet");
        }
        return runFolder().resolve("db");
    }

    private Path runFolder() {
        return folder.resolve("run");
    }

    private long pid(Daemon daemon) throws IOException {
        return Long.parseLong(Files.readString(runFolder().resolve(daemon.pidFile())).trim());
    }

    private void signal(Daemon daemon, String signal) throws IOException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(pid(daemon))).inheritIO().start();
        try {
            if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill " + signal + " " + daemon + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending " + signal + " to " + daemon, e);
        }
    }

    private synchronized void stopAndRemove() throws IOException {
        try {
            stop();
        } finally {
            if (folder != null) {
                deleteTree(folder);
                folder = null;
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
