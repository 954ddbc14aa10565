package dev.bulwark.quarantine;

import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a quarantined message was found when store-level scanning took it out of a mailbox: whose
 * mailbox, which one, and who put it there. An entry without an origin was stopped in the mail pipeline,
 * before delivery.
 *
 * @param owner   the mailbox owner's user name, as James names users
 * @param mailbox the mailbox name, e.g. {@code INBOX} or {@code Archive.2026}
 * @param actor   the user whose session added the message (James's Added event): the owner for their own APPEND or
 *                import, another user for a shared mailbox, whoever ran an import; empty when no arrival was seen (an
 *                on-demand scan or a rescan found it) and in entries written before the actor was recorded
 */
public record MailboxOrigin(String owner, String mailbox, @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<String> actor) {
    public MailboxOrigin {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(mailbox, "mailbox");
        actor = actor == null ? Optional.empty() : actor;
    }
}
