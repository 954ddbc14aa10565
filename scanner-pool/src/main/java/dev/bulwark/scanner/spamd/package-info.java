/**
 * spamd: {@link dev.bulwark.scanner.spamd.SpamdClient} (SPAMC/1.5 CHECK, SYMBOLS, REPORT, TELL, PING; the probe
 * target), plugged into the core through a slot link ({@link dev.bulwark.scanner.spamd.SpamdPool},
 * {@link dev.bulwark.scanner.spamd.SpamdPoolConfig}), learning over TELL with failover over the pool's endpoints
 * ({@link dev.bulwark.scanner.spamd.SpamdLearner}), and strict reply parsing. Depends on pool, integrity,
 * wire, verdict and endpoint.
 */
package dev.bulwark.scanner.spamd;
