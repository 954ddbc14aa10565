/**
 * The pipeline canary: the integrity of the protection itself, not only of the daemons. Carriers (EICAR, GTUBE,
 * a scan failure drill) go through the real spool at {@code canary.interval}; what the pipeline made of each is
 * read from its events and from the hold, and the {@code Bulwark canary} health check reports it. Depends on
 * config, alerts and the security store; nothing depends on it but BulwarkModule (which hands it the canary's
 * events).
 */
package dev.bulwark.extension.canary;
