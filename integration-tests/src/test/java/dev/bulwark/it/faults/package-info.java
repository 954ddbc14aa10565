/**
 * Faults and restarts: scanners down, killed, stalled or failing under load, held mail and the quarantine across
 * restarts, start-up errors, James's lifecycle. Nothing accepted is lost, nothing unscanned is delivered.
 */
package dev.bulwark.it.faults;
