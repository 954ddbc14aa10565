/**
 * Mail judged again: held mail sent back to the pipeline while clamd answers, and the retroactive rescan
 * after a signature update (quarantined and delivered mail), as a James task. Depends on config, scanners,
 * quarantine and the stores.
 */
package dev.bulwark.extension.rescan;
