package dev.bulwark.scanner.clamd;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.ProbeTarget;
import dev.bulwark.scanner.integrity.SelfTest;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.scanner.wire.DaemonConnection;
import dev.bulwark.scanner.wire.MessageReadException;
import dev.bulwark.scanner.wire.Printable;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * A client for one clamd daemon over TCP, speaking the null-terminated {@code z} commands.
 * Thread-safe: every call opens its own connection (pooled sessions are the pool's job). The only state
 * is a cache of clamd's VERSION, so that verdicts can say which engine gave them without asking each time.
 * As a {@link ProbeTarget}, it answers PING and VERSION and must find the EICAR test file.
 */
public final class ClamdClient implements VirusScanner, ProbeTarget {
    static final String DAEMON = "clamd";
    static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    private static final Duration VERSION_MAX_AGE = Duration.ofMinutes(10);
    private static final Duration VERSION_RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

    private final Endpoint endpoint;
    private final ScannerTimeouts timeouts;
    private final int chunkSize;
    private final Clock clock = Clock.systemUTC();
    private final AtomicReference<KnownVersion> knownVersion = new AtomicReference<>();

    /** The last VERSION asked: its answer (empty when clamd gave none) and when. */
    private record KnownVersion(Optional<ClamdVersion> version, Instant askedAt) {
    }

    public ClamdClient(Endpoint endpoint, ScannerTimeouts timeouts) {
        this(endpoint, timeouts, DEFAULT_CHUNK_SIZE);
    }

    public ClamdClient(Endpoint endpoint, ScannerTimeouts timeouts, int chunkSize) {
        this.endpoint = Objects.requireNonNull(endpoint);
        this.timeouts = Objects.requireNonNull(timeouts);
        if (chunkSize < 1024) {
            throw new IllegalArgumentException("chunk size must be at least 1024 bytes");
        }
        this.chunkSize = chunkSize;
    }

    @Override
    public String daemon() {
        return DAEMON;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public SelfTest selfTest() {
        return new SelfTest.Eicar(this);
    }

    /** VERSION: the engine and database version, and the database's build date for signature age. */
    @Override
    public Optional<VersionQuery> versionQuery() {
        return Optional.of(() -> {
            ClamdVersion version = version();
            return new EngineVersion(version.toString(), version.databaseDate());
        });
    }

    /** Sends PING; throws if clamd does not answer PONG. */
    @Override
    public void ping() throws IOException {
        String reply = command("zPING\0");
        if (!reply.equals("PONG")) {
            throw new IOException("clamd at " + endpoint + " answered PING with '" + Printable.of(reply) + "'");
        }
    }

    /** Sends VERSION: engine version, and signature database version and date when clamd reports them. */
    public ClamdVersion version() throws IOException {
        ClamdVersion version = ClamdVersion.parse(command("zVERSION\0"));
        knownVersion.set(new KnownVersion(Optional.of(version), clock.instant()));
        return version;
    }

    /** Sends STATS: clamd's threads and queue. */
    public ClamdStats stats() throws IOException {
        try (DaemonConnection connection = DaemonConnection.open(endpoint, timeouts)) {
            ClamdProtocol.send(connection, "zSTATS\0");
            return ClamdStats.parse(connection.readUntil(0, 64 * 1024));
        }
    }

    @Override
    public ScanVerdict scan(MessageContent content) {
        ScanVerdict verdict = scanOnce(content);
        return verdict.status() == ScanVerdict.Status.ERROR
            ? verdict
            : currentVersion().map(v -> verdict.withEngine(v.toString())).orElse(verdict);
    }

    /**
     * The VERSION clamd last gave, asked again when older than ten minutes. A VERSION that failed is not
     * asked again for a minute, so that scans never keep waiting on it; empty if clamd never answered.
     */
    Optional<ClamdVersion> currentVersion() {
        KnownVersion known = knownVersion.get();
        Instant now = clock.instant();
        if (known != null) {
            Duration maxAge = known.version().isPresent() ? VERSION_MAX_AGE : VERSION_RETRY_AFTER_FAILURE;
            if (known.askedAt().plus(maxAge).isAfter(now)) {
                return known.version();
            }
        }
        try {
            return Optional.of(version());
        } catch (IOException e) {
            Optional<ClamdVersion> previous = known == null ? Optional.empty() : known.version();
            knownVersion.set(new KnownVersion(previous, now));
            return previous;
        }
    }

    private ScanVerdict scanOnce(MessageContent content) {
        try (DaemonConnection connection = DaemonConnection.open(endpoint, timeouts)) {
            return ClamdReplies.parseScanReply(ClamdProtocol.instream(connection, content, chunkSize), endpoint);
        } catch (MessageReadException e) {
            return ScanVerdict.error("could not read the message: " + e.getMessage(), endpoint);
        } catch (SocketTimeoutException e) {
            return ScanVerdict.error("clamd did not answer within " + timeouts.read().toMillis() + " ms", endpoint);
        } catch (IOException e) {
            return ScanVerdict.error("clamd unreachable: " + e.getMessage(), endpoint);
        }
    }

    private String command(String command) throws IOException {
        try (DaemonConnection connection = DaemonConnection.open(endpoint, timeouts)) {
            ClamdProtocol.send(connection, command);
            return connection.readUntil(0, ClamdProtocol.MAX_REPLY);
        }
    }

    @Override
    public String toString() {
        return "ClamdClient[" + endpoint + "]";
    }
}
