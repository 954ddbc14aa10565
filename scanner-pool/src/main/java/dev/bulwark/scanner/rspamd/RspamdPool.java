package dev.bulwark.scanner.rspamd;

import java.util.List;
import java.util.Optional;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.pool.EngineKind;
import dev.bulwark.scanner.pool.EnginePool;
import dev.bulwark.scanner.pool.PoolSettings;
import dev.bulwark.scanner.pool.ScanTimer;
import dev.bulwark.scanner.pool.SlotLink;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.MessageContext;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamVerdict;

/**
 * Spam checks over several rspamd daemons with failover, exactly as {@code SpamdPool} does for spamd: the
 * engine-pool core ({@link EnginePool}) with {@link RspamdClient} plugged in through a {@link SlotLink}. The first
 * endpoint in service with a free slot takes the check; a dead connection or a passed deadline takes that endpoint
 * out and the check goes to the next one; a bad reply is ERROR at once. Endpoints taken out are PINGed in the
 * background and put back when they answer.
 */
public final class RspamdPool implements SpamChecker, AutoCloseable {
    private final EnginePool<RspamdClient, Check, SpamVerdict> pool;

    /** One check as the core carries it to an endpoint. */
    private record Check(MessageContent content, Optional<String> user, MessageContext context) {
    }

    public RspamdPool(RspamdPoolConfig config) {
        this(config, ScanTimer.NONE, EndpointDiscovery.NONE);
    }

    /**
     * @param timer     times every check exchange, per endpoint
     * @param discovery how endpoints given by host name are followed
     */
    public RspamdPool(RspamdPoolConfig config, ScanTimer timer, EndpointDiscovery discovery) {
        List<WeightedEndpoint> endpoints = config.endpoints().stream().map(endpoint -> new WeightedEndpoint(endpoint, 1)).toList();
        this.pool = new EnginePool<>(new PoolSettings(RspamdClient.DAEMON, endpoints, PoolSettings.Dispatch.IN_ORDER, config.probeInterval()),
            EngineKind.SPAM, endpoint -> {
                RspamdClient client = new RspamdClient(endpoint.endpoint(), config);
                return new SlotLink<>(EngineKind.SPAM, client, check -> client.checkOrThrow(check.content(), check.user(), check.context()),
                    config.maxConnectionsPerEndpoint(), config.borrowTimeout(), config.timeout());
            }, timer, discovery);
    }

    /** The engine-pool core under this pool: what the integrity watch, health checks and metrics work with. */
    public EnginePool<RspamdClient, ?, SpamVerdict> enginePool() {
        return pool;
    }

    public List<RspamdClient> clients() {
        return pool.clients();
    }

    @Override
    public SpamVerdict check(MessageContent content, Optional<String> user, MessageContext context) {
        return pool.call(new Check(content, user, context));
    }

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
