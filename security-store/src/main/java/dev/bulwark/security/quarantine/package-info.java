/**
 * The quarantine index's table (issue #22): one row per quarantine entry with the fields the quarantine is
 * listed, counted and filtered by, so that those cost what the page costs, not what the quarantine holds.
 * Values only (ids, text, instants): this module knows nothing of the quarantine store, whose
 * {@code QuarantineIndex} the extension implements on top of {@link dev.bulwark.security.quarantine.QuarantineIndexTable}.
 */
package dev.bulwark.security.quarantine;
