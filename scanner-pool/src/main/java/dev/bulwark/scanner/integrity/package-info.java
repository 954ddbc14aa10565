/**
 * Proving that an engine detects, beyond answering: {@link dev.bulwark.scanner.integrity.ProbeTarget} (an
 * endpoint's PING, version and self-test, as every engine's client offers them),
 * {@link dev.bulwark.scanner.integrity.SelfTest} (EICAR for virus engines, GTUBE for spam engines),
 * {@link dev.bulwark.scanner.integrity.IntegrityProbe} and its finding,
 * {@link dev.bulwark.scanner.integrity.ScannerState}. Depends on endpoint and verdict.
 */
package dev.bulwark.scanner.integrity;
