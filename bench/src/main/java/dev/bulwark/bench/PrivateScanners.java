package dev.bulwark.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A clamd and spamd of the benchmark's own, started with {@code scripts/scanners.sh start} in a temporary
 * run directory on free loopback ports, and stopped (with {@code stop}, same environment) at the end, also
 * on Ctrl-C. Used when {@code BULWARK_TEST_CLAMD} is not set. The script's output goes to stderr so that
 * stdout carries only the results. Addresses are plain host and port: the pipeline benchmark runs without
 * Bulwark's classes on its classpath.
 */
public final class PrivateScanners implements AutoCloseable {
    private final Path script;
    private final Path runDir;
    private final int clamdPort;
    private final int spamdPort;
    /** 0: no rspamd. */
    private final int rspamdPort;
    private final int rspamdControllerPort;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Thread shutdownHook;

    private PrivateScanners(Path script, Path runDir, int clamdPort, int spamdPort, int rspamdPort, int rspamdControllerPort) {
        this.script = script;
        this.runDir = runDir;
        this.clamdPort = clamdPort;
        this.spamdPort = spamdPort;
        this.rspamdPort = rspamdPort;
        this.rspamdControllerPort = rspamdControllerPort;
        this.shutdownHook = new Thread(this::stop, "bulwark-bench-stop-scanners");
    }

    public static PrivateScanners start(Path repo) throws IOException, InterruptedException {
        return start(repo, false);
    }

    /** @param withRspamd also an rspamd (scripts/scanners.sh's BULWARK_RSPAMD_PORT), without redis: it checks, never learns */
    public static PrivateScanners start(Path repo, boolean withRspamd) throws IOException, InterruptedException {
        Path script = repo.resolve("scripts/scanners.sh");
        if (!Files.isRegularFile(script)) {
            throw new IOException(script + " not found (use --repo DIR)");
        }
        Path runDir = Files.createTempDirectory("bulwark-bench-scanners.");
        PrivateScanners scanners = new PrivateScanners(script, runDir, freePort(), freePort(),
            withRspamd ? freePort() : 0, withRspamd ? freePort() : 0);
        Runtime.getRuntime().addShutdownHook(scanners.shutdownHook);
        int status = scanners.run("start");
        if (status != 0) {
            scanners.close();
            throw new IOException("scripts/scanners.sh start exited with " + status + " (its output is above)");
        }
        return scanners;
    }

    public static final String HOST = "127.0.0.1";

    public int clamdPort() {
        return clamdPort;
    }

    public int spamdPort() {
        return spamdPort;
    }

    /** rspamd's scan port, 0 when not started. */
    public int rspamdPort() {
        return rspamdPort;
    }

    /** rspamd's main process (its workers are its children), for CPU accounting. */
    public Optional<Long> rspamdPid() {
        return pidFrom("rspamd/rspamd.pid");
    }

    /** clamd's PID from its PID file, for CPU accounting. */
    public Optional<Long> clamdPid() {
        return pidFrom("clamd.pid");
    }

    /** spamd's (parent's) PID from its PID file, for CPU accounting. */
    public Optional<Long> spamdPid() {
        return pidFrom("spamd.pid");
    }

    private Optional<Long> pidFrom(String file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(runDir.resolve(file)).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private int run(String command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", script.toString(), command))
            .directory(script.getParent().getParent().toFile())
            .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("BULWARK_RUN_DIR", runDir.toString());
        env.put("BULWARK_CLAMD_PORT", Integer.toString(clamdPort));
        env.put("BULWARK_SPAMD_PORT", Integer.toString(spamdPort));
        if (rspamdPort > 0) {
            env.put("BULWARK_ENGINES", "clamd,spamd,rspamd");
            env.put("BULWARK_RSPAMD_PORT", Integer.toString(rspamdPort));
            env.put("BULWARK_RSPAMD_CONTROLLER_PORT", Integer.toString(rspamdControllerPort));
        }
        Process process = builder.start();
        try (InputStream output = process.getInputStream()) {
            output.transferTo(System.err);
        }
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    private void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        try {
            int status = run("stop");
            if (status != 0) {
                System.err.println("bench: scripts/scanners.sh stop exited with " + status + "; run dir kept: " + runDir);
                return;
            }
            deleteRecursively(runDir);
        } catch (IOException e) {
            System.err.println("bench: could not stop the private scanners: " + e.getMessage() + "; run dir: " + runDir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Already running as the hook.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
