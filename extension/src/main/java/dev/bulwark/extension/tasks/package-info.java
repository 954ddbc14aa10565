/**
 * James tasks that are not a rescan (quarantine deletion and purge, event purge), their schedule, and
 * {@link dev.bulwark.extension.tasks.BulwarkTaskExtension}, which gives James's task manager the JSON of every
 * Bulwark task. Depends on config, quarantine, rescan and the stores.
 */
package dev.bulwark.extension.tasks;
