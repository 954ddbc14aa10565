/**
 * Mail judged again: held mail scanned where it lies and given back to the pipeline once it gets a
 * verdict (and an admin's release of held mail, after a rescan), mailbox messages no scanner could judge,
 * and the retroactive rescan after a signature update (quarantined and delivered mail, which it may take
 * out of its mailbox), as a James task. Depends on config, scanners, quarantine, mailbox, the stores and
 * mailets (MessageScan: big mail by parts).
 */
package dev.bulwark.extension.rescan;
