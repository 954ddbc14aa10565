package dev.bulwark.scanner.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a real clamd and spamd. When the run already has them (BULWARK_TEST_CLAMD and
 * BULWARK_TEST_SPAMD, as {@code scripts/test.sh} exports after starting them once), those are used;
 * otherwise {@code scripts/scanners.sh} starts a private pair on free ports, once per JVM, and stops it
 * when the JVM's test run ends.
 *
 * <p>rspamd ({@link RspamdDaemon}) the same way, on its own: BULWARK_TEST_RSPAMD and
 * BULWARK_TEST_RSPAMD_CONTROLLER (and BULWARK_TEST_REDIS when it learns) when the run has it, otherwise a
 * private rspamd with a private redis started on first use, once per JVM.
 */
public final class ScannerDaemonsExtension implements ParameterResolver {
    public static final String CLAMD_ENV = "BULWARK_TEST_CLAMD";
    public static final String SPAMD_ENV = "BULWARK_TEST_SPAMD";
    public static final String RSPAMD_ENV = "BULWARK_TEST_RSPAMD";
    public static final String RSPAMD_CONTROLLER_ENV = "BULWARK_TEST_RSPAMD_CONTROLLER";
    public static final String REDIS_ENV = "BULWARK_TEST_REDIS";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ScannerDaemonsExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == ScannerDaemons.class || type == RspamdDaemon.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == RspamdDaemon.class ? rspamd(extensionContext) : daemons(extensionContext);
    }

    /** The run's rspamd, started on first use; shared by every test class in this JVM. */
    public static RspamdDaemon rspamd(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
            .getOrComputeIfAbsent(StartedRspamd.class, key -> StartedRspamd.fromEnvironmentOrStart(), StartedRspamd.class)
            .daemon();
    }

    private record StartedRspamd(RspamdDaemon daemon, Optional<Path> runDir) implements ExtensionContext.Store.CloseableResource {

        static StartedRspamd fromEnvironmentOrStart() {
            String scan = System.getenv(RSPAMD_ENV);
            String controller = System.getenv(RSPAMD_CONTROLLER_ENV);
            if (scan != null && controller != null) {
                String[] s = scan.split(":");
                String[] c = controller.split(":");
                return new StartedRspamd(new RspamdDaemon(s[0], Integer.parseInt(s[1]), Integer.parseInt(c[1]), System.getenv(REDIS_ENV) != null),
                    Optional.empty());
            }
            try {
                Path runDir = Files.createTempDirectory("bulwark-rspamd");
                RspamdDaemon daemon = new RspamdDaemon("127.0.0.1", Ports.unused(), Ports.unused(), true);
                runRspamdScript("start", runDir, daemon, Optional.of(Ports.unused()));
                return new StartedRspamd(daemon, Optional.of(runDir));
            } catch (IOException e) {
                throw new IllegalStateException("could not start rspamd for the tests", e);
            }
        }

        @Override
        public void close() throws IOException {
            if (runDir.isPresent()) {
                runRspamdScript("stop", runDir.get(), daemon, Optional.empty());
                // Its configuration, logs and redis folder; the compiled rules stay in the shared cache.
                try (java.util.stream.Stream<Path> files = Files.walk(runDir.get())) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
                }
            }
        }
    }

    /**
     * A private rspamd (alone, {@code BULWARK_ENGINES=rspamd}) on the daemon's ports, for tests that stop or
     * restart it; with a private redis on {@code redisPort} when given. Stopped with the same call and "stop".
     */
    public static void runRspamdScript(String action, Path runDir, RspamdDaemon daemon, Optional<Integer> redisPort) throws IOException {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
            "BULWARK_RUN_DIR", runDir.toString(),
            "BULWARK_SCANNER_HOST", daemon.host(),
            "BULWARK_ENGINES", "rspamd",
            "BULWARK_RSPAMD_PORT", Integer.toString(daemon.port()),
            "BULWARK_RSPAMD_CONTROLLER_PORT", Integer.toString(daemon.controllerPort())));
        redisPort.ifPresent(port -> env.put("BULWARK_REDIS_PORT", Integer.toString(port)));
        run(action, env);
    }

    /** The run's daemons, started on first use; shared by every test class in this JVM. */
    public static ScannerDaemons daemons(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
            .getOrComputeIfAbsent(StartedDaemons.class, key -> StartedDaemons.fromEnvironmentOrStart(), StartedDaemons.class)
            .daemons();
    }

    private record StartedDaemons(ScannerDaemons daemons, Optional<Path> runDir) implements ExtensionContext.Store.CloseableResource {

        static StartedDaemons fromEnvironmentOrStart() {
            String clamd = System.getenv(CLAMD_ENV);
            String spamd = System.getenv(SPAMD_ENV);
            if (clamd != null && spamd != null) {
                String[] c = clamd.split(":");
                String[] s = spamd.split(":");
                return new StartedDaemons(new ScannerDaemons(c[0], Integer.parseInt(c[1]), s[0], Integer.parseInt(s[1])), Optional.empty());
            }
            try {
                Path runDir = Files.createTempDirectory("bulwark-scanners");
                int clamdPort = Ports.unused();
                int spamdPort = Ports.unused();
                runScript("start", runDir, "127.0.0.1", clamdPort, spamdPort, java.util.Optional.empty(), java.util.Optional.empty(),
                    java.util.Optional.empty());
                return new StartedDaemons(new ScannerDaemons("127.0.0.1", clamdPort, "127.0.0.1", spamdPort), Optional.of(runDir));
            } catch (IOException e) {
                throw new IllegalStateException("could not start clamd and spamd for the tests", e);
            }
        }

        @Override
        public void close() throws IOException {
            if (runDir.isPresent()) {
                runScript("stop", runDir.get(), "127.0.0.1", daemons.clamdPort(), daemons.spamdPort(), java.util.Optional.empty(), java.util.Optional.empty(),
                    java.util.Optional.empty());
            }
        }
    }


    /** A private clamd and spamd on the given ports, for tests that need a daemon to appear later; close() stops them. */
    public static AutoCloseable startPrivateDaemons(Path runDir, int clamdPort, int spamdPort) throws IOException {
        return startPrivateDaemons(runDir, clamdPort, spamdPort, java.util.Optional.empty());
    }

    /**
     * Writes into {@code dir} a signature database without EICAR (only Bulwark's test marker): a clamd
     * loading it answers PING and scans, but detects nothing the integrity self-test uses.
     */
    public static Path signaturesWithoutEicar(Path dir) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        try (java.io.InputStream in = ScannerDaemonsExtension.class.getResourceAsStream("/signatures-without-eicar/bulwark-marker-only.ndb")) {
            java.nio.file.Files.copy(in, dir.resolve("bulwark-marker-only.ndb"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    /** As above, clamd loading the signature files of {@code signatureDir} instead of the project's. */
    public static AutoCloseable startPrivateDaemons(Path runDir, int clamdPort, int spamdPort, java.util.Optional<Path> signatureDir)
            throws IOException {
        return startPrivateDaemons(runDir, "127.0.0.1", clamdPort, spamdPort, signatureDir);
    }

    /** As above, the daemons listening on another loopback address ({@code 127.0.0.2}...). */
    public static AutoCloseable startPrivateDaemons(Path runDir, String host, int clamdPort, int spamdPort,
                                                    java.util.Optional<Path> signatureDir) throws IOException {
        return startPrivateDaemons(runDir, host, clamdPort, spamdPort, signatureDir, java.util.Optional.empty());
    }

    /**
     * As above, spamd reading per-user preferences from {@code spamdUserPrefs}: {@code <user>/user_prefs},
     * {@code <user>} as Bulwark sends it in spamc's {@code User:}, the recipient's address.
     */
    public static AutoCloseable startPrivateDaemons(Path runDir, String host, int clamdPort, int spamdPort,
                                                    java.util.Optional<Path> signatureDir, java.util.Optional<Path> spamdUserPrefs) throws IOException {
        return startPrivateDaemons(runDir, host, clamdPort, spamdPort, signatureDir, spamdUserPrefs, java.util.Optional.empty());
    }

    /** As above, spamd with the SpamAssassin settings of {@code spamdLocalCf} for every user (scripts/scanners.sh BULWARK_SPAMD_LOCAL_CF). */
    public static AutoCloseable startPrivateDaemons(Path runDir, String host, int clamdPort, int spamdPort, java.util.Optional<Path> signatureDir,
                                                    java.util.Optional<Path> spamdUserPrefs, java.util.Optional<Path> spamdLocalCf) throws IOException {
        runScript("start", runDir, host, clamdPort, spamdPort, signatureDir, spamdUserPrefs, spamdLocalCf);
        return () -> runScript("stop", runDir, host, clamdPort, spamdPort, signatureDir, spamdUserPrefs, spamdLocalCf);
    }

    /** Stops what {@link #startPrivateDaemons(Path, String, int, int, java.util.Optional)} started in {@code runDir}. */
    public static void stopPrivateDaemons(Path runDir, String host, int clamdPort, int spamdPort) throws IOException {
        runScript("stop", runDir, host, clamdPort, spamdPort, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    private static void runScript(String action, Path runDir, String host, int clamdPort, int spamdPort,
                                  java.util.Optional<Path> signatureDir, java.util.Optional<Path> spamdUserPrefs,
                                  java.util.Optional<Path> spamdLocalCf) throws IOException {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
            "BULWARK_RUN_DIR", runDir.toString(),
            "BULWARK_SCANNER_HOST", host,
            "BULWARK_CLAMD_PORT", Integer.toString(clamdPort),
            "BULWARK_SPAMD_PORT", Integer.toString(spamdPort)));
        signatureDir.ifPresent(dir -> env.put("BULWARK_SIGNATURE_DIR", dir.toString()));
        spamdUserPrefs.ifPresent(dir -> env.put("BULWARK_SPAMD_USER_PREFS_DIR", dir.toString()));
        spamdLocalCf.ifPresent(file -> env.put("BULWARK_SPAMD_LOCAL_CF", file.toString()));
        run(action, env);
    }

    private static void run(String action, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", scannersScript().toString(), action))
            .redirectErrorStream(true);
        // The run's own choice of engines must not leak into a private start.
        builder.environment().remove("BULWARK_ENGINES");
        builder.environment().remove("BULWARK_RSPAMD_PORT");
        builder.environment().remove("BULWARK_RSPAMD_CONTROLLER_PORT");
        builder.environment().remove("BULWARK_REDIS_PORT");
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(3, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException("scripts/scanners.sh " + action + " failed:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running scripts/scanners.sh " + action, e);
        }
    }

    /** {@code scripts/scanners.sh}, from the bulwark.scripts property or found above the working directory. */
    public static Path scannersScript() throws IOException {
        String configured = System.getProperty("bulwark.scripts");
        if (configured != null) {
            return Paths.get(configured, "scanners.sh");
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("scripts/scanners.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException("scripts/scanners.sh not found above " + Paths.get("").toAbsolutePath());
    }
}
