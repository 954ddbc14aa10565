/**
 * Store-level scanning: every message added to any mailbox, whatever path it took (IMAP APPEND, JMAP, LMTP,
 * a mailet delivering without the root processor), is scanned by the same clamd pool through James's own
 * mailbox event system ({@link dev.bulwark.extension.mailbox.MailboxScanListener}, registered in
 * listeners.xml); mail the pipeline judged carries its scan stamp and is not scanned twice; a message over
 * clamd's stream limit is scanned part by part, as the pipeline does. What is infected or banned is taken out
 * of the mailbox into the quarantine, and what has a part too large to scan is held there; what no scanner
 * answered for stays, flagged, for a later pass. What arrivals move into the quarantine is bounded per owner and day
 * ({@link dev.bulwark.extension.mailbox.TakeOutBudget}); past it, such content is deleted without a copy and the admin
 * alerted once. Also the on-demand mailbox scan (a James task). Depends on config, scanners, quarantine, the stores,
 * alerts and mailets (MessageScan, the scan stamp).
 */
package dev.bulwark.extension.mailbox;
