/**
 * James tasks that are not a rescan (quarantine deletion, purge and reindex, event purge), their schedule, the
 * quarantine index's check at start-up, and
 * {@link dev.bulwark.extension.tasks.BulwarkTaskExtension}, which gives James's task manager the JSON of every
 * Bulwark task. Depends on config, quarantine, rescan and the stores.
 */
package dev.bulwark.extension.tasks;
