package dev.bulwark.scanner.clamd;

import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.pool.EngineKind;
import dev.bulwark.scanner.pool.EnginePool;
import dev.bulwark.scanner.pool.PoolSettings;
import dev.bulwark.scanner.pool.PooledEngine;
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
public final class ClamdPool implements VirusScanner, PooledEngine<ClamdClient, ScanVerdict> {
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

    @Override
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
}
