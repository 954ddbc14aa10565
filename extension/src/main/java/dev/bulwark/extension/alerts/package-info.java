/**
 * Admin alerts: scanner state changes and outbreaks mailed to the postmaster, rate-limited and sent
 * off the caller's thread. Depends on the mailets' notice mail and the security store.
 */
package dev.bulwark.extension.alerts;
