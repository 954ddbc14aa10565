package dev.bulwark.quarantine;

import java.util.Objects;

/**
 * Where a quarantined message was found when store-level scanning took it out of a mailbox: whose
 * mailbox and which one. An entry without an origin was stopped in the mail pipeline, before delivery.
 *
 * @param owner   the mailbox owner's user name, as James names users
 * @param mailbox the mailbox name, e.g. {@code INBOX} or {@code Archive.2026}
 */
public record MailboxOrigin(String owner, String mailbox) {
    public MailboxOrigin {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(mailbox, "mailbox");
    }
}
