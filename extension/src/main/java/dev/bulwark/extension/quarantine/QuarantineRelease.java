package dev.bulwark.extension.quarantine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.quarantine.MailboxOrigin;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineId;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.quarantine.Release;
import dev.bulwark.security.SecurityStore;

import reactor.core.publisher.Mono;

/**
 * Releases quarantined mail. Mail stopped in the pipeline: a copy addressed to the chosen recipients goes
 * to James's spool queue, entering {@code quarantine.releaseProcessor} marked so that
 * {@code IsReleasedFromQuarantine} lets it skip the scanners it already failed. A message store-level scanning
 * took out of a mailbox goes back into that same mailbox (made again if it was deleted meanwhile). Either way
 * it carries the scan stamp of an admin's decision ({@link ScanStamp.Kind#RELEASED}), so that store-level scanning
 * does not take it out again, on arrival nor in an on-demand mailbox scan;
 * held mail from a mailbox a rescan can now judge goes back unstamped, to be judged there on arrival.
 * The release is recorded (who, to whom, when) in the entry.
 */
@Singleton
public class QuarantineRelease {
    private final QuarantineStore store;
    private final MailQueueFactory<? extends MailQueue> queues;
    private final String processor;
    private final SecurityStore security;
    private final MailboxManager mailboxes;
    private final ScanStamp stamp;

    @Inject
    public QuarantineRelease(QuarantineStore store, MailQueueFactory<?> queues, BulwarkConfiguration configuration, SecurityStore security,
                             MailboxManager mailboxes, ScanStamp stamp) {
        this.store = store;
        this.queues = queues;
        this.processor = configuration.quarantine().releaseProcessor();
        this.security = security;
        this.mailboxes = mailboxes;
        this.stamp = stamp;
    }

    public QuarantineEntry release(QuarantineId id, Optional<List<String>> recipients, String releasedBy) {
        return release(id, recipients, releasedBy, true);
    }

    /**
     * Releases to all remaining recipients without the released mark: the mail goes through every check
     * of {@code quarantine.releaseProcessor} again, as new mail does (the retroactive rescan's release of
     * mail now found clean, which no person looked at). A message taken out of a mailbox goes back there.
     */
    public QuarantineEntry releaseForAllChecks(QuarantineId id, String releasedBy) {
        return release(id, Optional.empty(), releasedBy, false);
    }

    /**
     * Releases held mail without a verdict, as an admin decided: past the scanners (marked released), with
     * {@code X-Bulwark-Virus: not scanned: released unscanned by <who>: <reason>} in each copy, and the
     * reason recorded in the entry's release and in the event.
     */
    public QuarantineEntry releaseUnscanned(QuarantineId id, Optional<List<String>> recipients, String releasedBy, String reason) {
        Optional<MailboxOrigin> origin = store.entry(id).flatMap(QuarantineEntry::origin);
        QuarantineEntry released = store.release(id, recipients, releasedBy, Optional.of(reason), mail -> {
            try {
                dev.bulwark.mailets.VirusScan.noteUnscanned(mail, "released unscanned by " + releasedBy + ": " + reason);
            } catch (javax.mail.MessagingException e) {
                throw new IllegalStateException("cannot mark the released mail: " + e.getMessage(), e);
            }
            // Held mail store-level scanning took out of a mailbox goes back there, and held pipeline mail goes past the
            // scanners to its recipients: either way stamped with the admin's decision, or store-level scanning would
            // hold it again once in the mailbox (it still cannot be scanned).
            origin.ifPresentOrElse(o -> backToMailbox(mail, o, true), () -> toSpool(mail, true));
        });
        Release release = released.releases().get(released.releases().size() - 1);
        Map<String, String> details = new java.util.HashMap<>(Map.of("releasedBy", release.releasedBy(), "unscanned", "true",
            "unscannedReason", reason));
        origin.ifPresentOrElse(o -> details.putAll(Map.of("origin", "mailbox", "owner", o.owner(), "mailbox", o.mailbox())),
            () -> details.put("processor", processor));
        QuarantineEvents.record(security, QuarantineEvents.RELEASED, released, release.recipients(), details);
        return released;
    }

    /**
     * Puts a message store-level scanning took out of a mailbox back there without a stamp, so that store-level
     * scanning judges it on arrival as any new message (held mail that a rescan can judge now).
     */
    public void backToMailboxForAScan(Mail mail, MailboxOrigin origin) {
        backToMailbox(mail, origin, false);
    }

    private QuarantineEntry release(QuarantineId id, Optional<List<String>> recipients, String releasedBy, boolean skipFailedScanners) {
        Optional<MailboxOrigin> origin = store.entry(id).flatMap(QuarantineEntry::origin);
        QuarantineEntry released = origin.isPresent()
            ? store.release(id, recipients, releasedBy, mail -> backToMailbox(mail, origin.get(), true))
            : store.release(id, recipients, releasedBy, mail -> toSpool(mail, skipFailedScanners));
        Release release = released.releases().get(released.releases().size() - 1);
        QuarantineEvents.record(security, QuarantineEvents.RELEASED, released, release.recipients(), origin
            .map(o -> Map.of("releasedBy", release.releasedBy(), "origin", "mailbox", "owner", o.owner(), "mailbox", o.mailbox()))
            .orElseGet(() -> Map.of("releasedBy", release.releasedBy(), "processor", processor)));
        return released;
    }

    private void toSpool(Mail mail, boolean skipFailedScanners) {
        MailQueue spool = queues.createQueue(MailQueueFactory.SPOOL);
        try {
            if (!skipFailedScanners) {
                mail.removeAttribute(QuarantineStore.RELEASED);
            } else {
                // Past the scanners: stamped for each recipient, or store-level scanning would take it out of their mailbox again.
                ScanStamp.Digest digest = ScanStamp.digest(out -> writeTo(mail, out));
                for (MailAddress recipient : mail.getRecipients()) {
                    stamp.issue(ScanStamp.Kind.RELEASED, recipient.asString(), digest).ifPresent(value -> mail.addSpecificHeaderForRecipient(
                        PerRecipientHeaders.Header.builder().name(ScanStamp.HEADER).value(value).build(), recipient));
                }
            }
            mail.setState(processor);
            spool.enQueue(mail);
        } catch (MailQueue.MailQueueException e) {
            throw new IllegalStateException("the spool queue refused the released mail: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the released mail: " + e.getMessage(), e);
        }
    }

    private void backToMailbox(Mail mail, MailboxOrigin origin, boolean stamped) {
        Username owner = Username.of(origin.owner());
        MailboxSession session = mailboxes.createSystemSession(owner);
        try {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            // The owner's own header fields (an unscanned release's X-Bulwark-Virus), which the pipeline adds at delivery.
            for (MailAddress recipient : mail.getRecipients()) {
                for (PerRecipientHeaders.Header header : mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(recipient)) {
                    message.write((header.getName() + ": " + header.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            writeTo(mail, message);
            ScanStamp.Digest digest = ScanStamp.digest(out -> out.write(message.toByteArray()));
            String stampLine = stamped
                ? stamp.issue(ScanStamp.Kind.RELEASED, owner.asString(), digest).map(value -> ScanStamp.HEADER + ": " + value + "\r\n").orElse("")
                : "";
            ByteArrayOutputStream restored = new ByteArrayOutputStream(message.size() + stampLine.length());
            restored.write(stampLine.getBytes(StandardCharsets.US_ASCII));
            message.writeTo(restored);
            MailboxPath path = MailboxPath.forUser(owner, origin.mailbox());
            if (!Boolean.TRUE.equals(Mono.from(mailboxes.mailboxExists(path, session)).block())) {
                mailboxes.createMailbox(path, session);
            }
            MessageManager mailbox = mailboxes.getMailbox(path, session);
            mailbox.appendMessage(MessageManager.AppendCommand.builder().recent().build(restored.toByteArray()), session);
        } catch (MailboxException | IOException e) {
            throw new IllegalStateException("cannot put the message back into " + origin.owner() + "'s " + origin.mailbox() + ": "
                + e.getMessage(), e);
        } finally {
            mailboxes.endProcessingRequest(session);
        }
    }

    private static void writeTo(Mail mail, java.io.OutputStream out) throws IOException {
        try {
            mail.getMessage().writeTo(out);
        } catch (MessagingException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
