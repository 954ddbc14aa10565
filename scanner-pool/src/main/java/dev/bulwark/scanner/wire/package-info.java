/**
 * One TCP connection to a daemon with a deadline on every connect, read and write
 * ({@link dev.bulwark.scanner.wire.DaemonConnection}, {@link dev.bulwark.scanner.wire.ScannerTimeouts}), the
 * exceptions that tell a bad reply and an unreadable message from a dead connection, and daemon replies made
 * printable for logs and headers. Knows no protocol; depends on endpoint only.
 */
package dev.bulwark.scanner.wire;
