/**
 * rspamd: {@link dev.bulwark.scanner.rspamd.RspamdClient} (its HTTP API: {@code GET /ping}, {@code POST /checkv2};
 * the probe target), plugged into the core through a slot link ({@link dev.bulwark.scanner.rspamd.RspamdPool},
 * {@link dev.bulwark.scanner.rspamd.RspamdPoolConfig}), strict reply parsing ({@code RspamdReplies}), and
 * learning through rspamd's controller ({@link dev.bulwark.scanner.rspamd.RspamdLearner}). Depends on pool,
 * integrity, wire, verdict and endpoint; Jackson (provided by James) reads the JSON.
 */
package dev.bulwark.scanner.rspamd;
