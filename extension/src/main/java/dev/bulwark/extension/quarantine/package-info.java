/**
 * Acting on quarantine entries from James: release through the spool (held mail unscanned, with the
 * admin's reason) and the security events that record what was done to an entry. Depends on config, the
 * quarantine and security stores, and mailets (the header of a copy released unscanned).
 */
package dev.bulwark.extension.quarantine;
