/**
 * Acting on quarantine entries from James: release through the spool (or back into the mailbox a message
 * was taken from) and the security events that record what was done to an entry. Depends on config and the
 * quarantine and security stores.
 */
package dev.bulwark.extension.quarantine;
