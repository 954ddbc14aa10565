/**
 * clamd: {@link dev.bulwark.scanner.clamd.ClamdClient} (one-shot PING, VERSION, STATS, INSTREAM; the probe
 * target), IDSESSION sessions and their Commons Pool plugged into the core
 * ({@link dev.bulwark.scanner.clamd.ClamdPool}, {@link dev.bulwark.scanner.clamd.ClamdPoolConfig}), INSTREAM
 * framing and strict reply parsing. Depends on pool, integrity, wire, verdict and endpoint.
 */
package dev.bulwark.scanner.clamd;
