/**
 * Mail judged again: held mail sent back to the pipeline while clamd answers (and mailbox messages no
 * scanner could judge), and the retroactive rescan after a signature update (quarantined and delivered
 * mail, which it may take out of its mailbox), as a James task. Depends on config, scanners, quarantine,
 * mailbox and the stores.
 */
package dev.bulwark.extension.rescan;
