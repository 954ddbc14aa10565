package dev.bulwark.scanner.pool;

import java.util.List;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.ProbeTarget;

/**
 * An engine's pool as its callers hold it ({@code ClamdPool}, {@code SpamdPool}, {@code RspamdPool}): the
 * engine-pool core under it, and the core's operations that every engine's pool offers, passed to the core as
 * they are. An engine's pool itself adds only its protocol's requests (a scan, a check) and what only that
 * protocol has.
 *
 * @param <C> the engine's one-shot client
 * @param <V> the verdict
 */
public interface PooledEngine<C extends ProbeTarget, V> extends AutoCloseable {
    /** The engine-pool core under this pool: what the integrity watch, health checks and metrics work with. */
    EnginePool<C, ?, V> enginePool();

    /** Each endpoint's one-shot client, for PING, self-tests and engine-specific questions outside the pool. */
    default List<C> clients() {
        return enginePool().clients();
    }

    /** Resolves the endpoints given by host name again now, as the discovery thread does every interval. */
    default void refreshEndpoints() {
        enginePool().refreshEndpoints();
    }

    /** Connection counts and health per endpoint, in configuration order (addresses joined later last). */
    default List<EndpointStats> stats() {
        return enginePool().stats();
    }

    /** PINGs every endpoint now, taking out those that do not answer and putting back those that do. */
    default List<EndpointStats> checkEndpoints() {
        return enginePool().checkEndpoints();
    }

    /** See {@link EnginePool#selfTestFailed(Endpoint, String)}. */
    default void selfTestFailed(Endpoint endpoint, String reason) {
        enginePool().selfTestFailed(endpoint, reason);
    }

    default void selfTestPassed(Endpoint endpoint) {
        enginePool().selfTestPassed(endpoint);
    }

    /** Stops the prober and endpoint discovery, and takes every endpoint out of the pool ({@link EndpointLink#close()}). */
    @Override
    default void close() {
        enginePool().close();
    }
}
