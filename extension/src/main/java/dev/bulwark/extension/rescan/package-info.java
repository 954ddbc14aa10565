/**
 * Mail judged again: held mail scanned where it lies and given back to the pipeline once it gets a
 * verdict (and an admin's release of held mail, after a rescan), and the retroactive rescan after a
 * signature update (quarantined and delivered mail), as a James task. Depends on config, scanners,
 * quarantine, the stores and mailets (MessageScan: big mail by parts).
 */
package dev.bulwark.extension.rescan;
