/**
 * The security store's lifecycle (opened once, seeded from bulwark.properties, closed at stop) and the
 * fan-out of security events to the store, James's metrics and the outbreak detector. Depends on config.
 */
package dev.bulwark.extension.store;
