package dev.bulwark.security;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL for tests: the one named by {@code BULWARK_TEST_POSTGRES} (a JDBC URL; user and
 * password "bulwark"), or a private one started with scripts/postgres.sh on a free port and stopped by
 * {@link #close()}. Uses no Bulwark class, so that tests loading Bulwark from its jar can use it too.
 */
public final class PostgresServer implements AutoCloseable {
    private final String jdbcUrl;
    private final Optional<Runnable> stop;

    private PostgresServer(String jdbcUrl, Optional<Runnable> stop) {
        this.jdbcUrl = jdbcUrl;
        this.stop = stop;
    }

    public static PostgresServer start() throws IOException {
        String given = System.getenv("BULWARK_TEST_POSTGRES");
        if (given != null && !given.isBlank()) {
            return new PostgresServer(given, Optional.empty());
        }
        Path dir = Files.createTempDirectory("bulwark-postgres");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        run("start", dir, port);
        return new PostgresServer("jdbc:postgresql://127.0.0.1:" + port + "/bulwark", Optional.of(() -> {
            try {
                run("stop", dir, port);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    private static void run(String action, Path dir, int port) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", script().toString(), action)).redirectErrorStream(true);
        builder.environment().put("BULWARK_PG_DIR", dir.toString());
        builder.environment().put("BULWARK_PG_PORT", Integer.toString(port));
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException("scripts/postgres.sh " + action + " failed:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** scripts/postgres.sh, found above the working directory. */
    private static Path script() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("scripts/postgres.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException("scripts/postgres.sh not found above " + Path.of("").toAbsolutePath());
    }

    @Override
    public void close() {
        stop.ifPresent(Runnable::run);
    }
}
