package dev.bulwark.scanner.spamd;

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
 * Spam checks over several spamd daemons with failover: the engine-pool core ({@link EnginePool}) with
 * {@link SpamdClient} plugged in through a {@link SlotLink}. The first endpoint in service with a free
 * slot takes the check; a dead connection takes that endpoint out and the check goes to the next one.
 * A semaphore per endpoint caps checks in flight (spamd forks a child per connection and queues the
 * rest). Endpoints taken out are PINGed in the background and put back when they answer.
 */
public final class SpamdPool implements SpamChecker, PooledEngine<SpamdClient, SpamVerdict> {
    private final EnginePool<SpamdClient, Check, SpamVerdict> pool;

    /** One check as the core carries it to an endpoint. */
    private record Check(SpamdCommand command, MessageContent content, Optional<String> user) {
    }

    public SpamdPool(SpamdPoolConfig config) {
        this(config, ScanTimer.NONE);
    }

    /** @param timer times every check exchange, per endpoint */
    public SpamdPool(SpamdPoolConfig config, ScanTimer timer) {
        this(config, timer, EndpointDiscovery.NONE);
    }

    /** @param discovery how endpoints given by host name are followed */
    public SpamdPool(SpamdPoolConfig config, ScanTimer timer, EndpointDiscovery discovery) {
        this.pool = new EnginePool<>(PoolSettings.inOrder(SpamdClient.DAEMON, config.endpoints(), config.probeInterval()),
            EngineKind.SPAM, endpoint -> {
                SpamdClient client = new SpamdClient(endpoint.endpoint(), config.client());
                return new SlotLink<>(EngineKind.SPAM, client, check -> client.checkOrThrow(check.command(), check.content(), check.user()),
                    config.maxConnectionsPerEndpoint(), config.borrowTimeout(), config.client().exchangeTimeout());
            }, timer, discovery);
    }

    @Override
    public EnginePool<SpamdClient, ?, SpamVerdict> enginePool() {
        return pool;
    }

    /** SPAMC has no header for the SMTP context: it is not sent. */
    @Override
    public SpamVerdict check(MessageContent content, Optional<String> user, MessageContext context) {
        return check(SpamdCommand.SYMBOLS, content, user);
    }

    public SpamVerdict check(SpamdCommand command, MessageContent content, Optional<String> user) {
        return pool.call(new Check(command, content, user));
    }
}
