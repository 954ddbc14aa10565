/**
 * Acting on quarantine entries from James: release through the spool and the security events that
 * record what was done to an entry. Depends on config and the quarantine and security stores.
 */
package dev.bulwark.extension.quarantine;
