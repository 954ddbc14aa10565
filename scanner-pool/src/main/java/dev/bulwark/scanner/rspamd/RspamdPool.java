package dev.bulwark.scanner.rspamd;

import java.util.Optional;

import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.pool.EngineKind;
import dev.bulwark.scanner.pool.EnginePool;
import dev.bulwark.scanner.pool.PoolSettings;
import dev.bulwark.scanner.pool.PooledEngine;
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
public final class RspamdPool implements SpamChecker, PooledEngine<RspamdClient, SpamVerdict> {
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
        this.pool = new EnginePool<>(PoolSettings.inOrder(RspamdClient.DAEMON, config.endpoints(), config.probeInterval()),
            EngineKind.SPAM, endpoint -> {
                RspamdClient client = new RspamdClient(endpoint.endpoint(), config);
                return new SlotLink<>(EngineKind.SPAM, client, check -> client.checkOrThrow(check.content(), check.user(), check.context()),
                    config.maxConnectionsPerEndpoint(), config.borrowTimeout(), config.timeout());
            }, timer, discovery);
    }

    @Override
    public EnginePool<RspamdClient, ?, SpamVerdict> enginePool() {
        return pool;
    }

    @Override
    public SpamVerdict check(MessageContent content, Optional<String> user, MessageContext context) {
        return pool.call(new Check(content, user, context));
    }
}
