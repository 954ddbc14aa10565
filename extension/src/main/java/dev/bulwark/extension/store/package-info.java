/**
 * The security store's lifecycle (opened once, seeded from bulwark.properties, closed at stop), the
 * fan-out of security events to the store, James's metrics and the outbreak detector, and the health
 * check of the events waiting for the store. Depends on config.
 */
package dev.bulwark.extension.store;
