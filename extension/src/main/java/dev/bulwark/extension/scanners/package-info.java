/**
 * The clamd and spamd (or rspamd) pools built from the configuration and closed at James's stop
 * ({@link dev.bulwark.extension.scanners.Scanners}, with their metrics and membership events), the start-up
 * check that they answer, the size-limit check, and the {@code Bulwark scanners} health check.
 * Depends on config and the security event sink.
 */
package dev.bulwark.extension.scanners;
