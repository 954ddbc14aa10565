/**
 * The engine-pool core: {@link dev.bulwark.scanner.pool.EnginePool} keeps one engine's members (endpoints,
 * host names followed, new addresses admitted after PING and self-test), their health (Resilience4j circuit
 * breakers, background prober), the integrity watch's self-test marks, counters and timers, and sends each
 * request to an endpoint as {@link dev.bulwark.scanner.pool.PoolSettings.Dispatch} says. An engine plugs in an
 * {@link dev.bulwark.scanner.pool.EndpointLink} per endpoint ({@link dev.bulwark.scanner.pool.SlotLink} for
 * clients that make each exchange on their own) and its {@link dev.bulwark.scanner.pool.EngineKind}; its pool offers the
 * core's operations through {@link dev.bulwark.scanner.pool.PooledEngine}. Depends on
 * endpoint, verdict and integrity; knows no protocol (nothing of wire, clamd or spamd).
 */
package dev.bulwark.scanner.pool;
