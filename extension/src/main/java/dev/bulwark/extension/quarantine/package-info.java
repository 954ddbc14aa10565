/**
 * Acting on quarantine entries from James: release through the spool (held mail unscanned, with the
 * admin's reason), or back into the mailbox a message was taken from, and the security events that record
 * what was done to an entry; and the quarantine store's index kept in the security store
 * ({@link dev.bulwark.extension.quarantine.IndexInSecurityStore}). Depends on config, the quarantine and security stores, and mailets (the
 * header of a copy released unscanned, the scan stamp).
 */
package dev.bulwark.extension.quarantine;
