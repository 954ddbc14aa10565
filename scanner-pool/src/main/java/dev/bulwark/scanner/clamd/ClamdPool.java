package dev.bulwark.scanner.clamd;

import java.util.List;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.pool.EngineKind;
import dev.bulwark.scanner.pool.EnginePool;
import dev.bulwark.scanner.pool.PoolSettings;
import dev.bulwark.scanner.pool.ScanTimer;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;

/**
 * Virus scanning over several clamd daemons through persistent IDSESSION connections: the engine-pool
 * core ({@link EnginePool}) with clamd's sessions ({@link ClamdSessions}) plugged in.
 *
 * <ul>
 *   <li>Each endpoint has its own Commons Pool: at most {@code maxConnectionsPerEndpoint} sessions, a
 *   bounded wait to borrow one, validation (PING) of sessions idle for over a second, idle eviction.</li>
 *   <li>A scan goes to the least-loaded endpoint in service, load being scans in flight divided by
 *   weight; ties rotate.</li>
 *   <li>A dead connection (refused, reset, stalled, closed mid-reply) takes the endpoint out and the scan
 *   is retried once on another endpoint; a background prober PINGs endpoints that are out and puts them
 *   back when they answer.</li>
 *   <li>No verdict is ever guessed: when nothing could scan, the verdict is ERROR with the reason.</li>
 * </ul>
 */
public final class ClamdPool implements VirusScanner, AutoCloseable {
    private final ClamdPoolConfig config;
    private final EnginePool<ClamdClient, MessageContent, ScanVerdict> pool;

    public ClamdPool(ClamdPoolConfig config) {
        this(config, ScanTimer.NONE);
    }

    /** @param timer times every scan exchange, per endpoint */
    public ClamdPool(ClamdPoolConfig config, ScanTimer timer) {
        this(config, timer, EndpointDiscovery.NONE);
    }

    /** @param discovery how endpoints given by host name are followed */
    public ClamdPool(ClamdPoolConfig config, ScanTimer timer, EndpointDiscovery discovery) {
        this.config = config;
        this.pool = new EnginePool<>(new PoolSettings(ClamdClient.DAEMON, config.endpoints(), PoolSettings.Dispatch.LEAST_LOADED,
            config.probeInterval()), EngineKind.VIRUS, endpoint -> new ClamdSessions(endpoint, config), timer, discovery);
    }

    public ClamdPoolConfig config() {
        return config;
    }

    /** The engine-pool core under this pool: what the integrity watch, health checks and metrics work with. */
    public EnginePool<ClamdClient, MessageContent, ScanVerdict> enginePool() {
        return pool;
    }

    @Override
    public ScanVerdict scan(MessageContent content) {
        return pool.call(content);
    }

    /** Scans a message of known size: one larger than {@code maxStreamSize} is UNSCANNABLE without being sent. */
    @Override
    public ScanVerdict scan(MessageContent content, long size) {
        if (size > config.maxStreamSize()) {
            return ScanVerdict.unscannable("message of " + size + " bytes is over clamd's stream limit of "
                + config.maxStreamSize() + " bytes", null);
        }
        return pool.call(content);
    }

    @Override
    public long maxStreamSize() {
        return config.maxStreamSize();
    }

    /** One-shot clients for each endpoint, for PING, VERSION and STATS outside the pool. */
    public List<ClamdClient> clients() {
        return pool.clients();
    }

    /** Resolves the endpoints given by host name again now, as the discovery thread does every interval. */
    public void refreshEndpoints() {
        pool.refreshEndpoints();
    }

    /** Connection counts and health per endpoint, in configuration order (addresses joined later last). */
    public List<EndpointStats> stats() {
        return pool.stats();
    }

    /** PINGs every endpoint now, taking out those that do not answer and putting back those that do. */
    public List<EndpointStats> checkEndpoints() {
        return pool.checkEndpoints();
    }

    /** See {@link EnginePool#selfTestFailed(Endpoint, String)}. */
    public void selfTestFailed(Endpoint endpoint, String reason) {
        pool.selfTestFailed(endpoint, reason);
    }

    public void selfTestPassed(Endpoint endpoint) {
        pool.selfTestPassed(endpoint);
    }

    @Override
    public void close() {
        pool.close();
    }
}
