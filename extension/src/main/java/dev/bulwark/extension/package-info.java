/**
 * Bulwark's James extension: {@link dev.bulwark.extension.BulwarkModule}, the one place that wires the
 * rooms below into James (Guice bindings); each sub-package owns one job and may use the modules below the
 * extension (scanner-pool, quarantine-store, security-store, notifications, mailets) and James's APIs.
 */
package dev.bulwark.extension;
