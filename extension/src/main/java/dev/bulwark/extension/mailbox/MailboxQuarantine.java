package dev.bulwark.extension.mailbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;
import javax.mail.internet.MimeUtility;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.server.core.MailImpl;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.mailets.MessageScan;
import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.HasBannedAttachment;
import dev.bulwark.quarantine.MailboxOrigin;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/**
 * Takes a message out of its mailbox into Bulwark's quarantine, with its owner, mailbox and verdict: kept
 * first, deleted from the mailbox only once kept (a failure leaves it where it is, never lost). The
 * {@code quarantine.stored} event and the notices follow as for pipeline quarantine: a copy goes through
 * {@code mailbox.noticeProcessor} (the pipeline's quarantine processor) marked as already kept, so that the
 * same NotifyAdmin and NotifyRecipients mailets, with the same templates and limits, tell about it; it
 * comes from no sender, so no sender notice is ever sent.
 */
@Singleton
public class MailboxQuarantine {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailboxQuarantine.class);

    private final QuarantineStore store;
    private final UsersRepository users;
    private final MailetContext context;
    private final SecurityEventSink events;
    private final BulwarkConfiguration.Mailbox settings;

    @Inject
    public MailboxQuarantine(QuarantineStore store, UsersRepository users, MailetContext context, SecurityEventSink events,
                             BulwarkConfiguration configuration) {
        this.store = store;
        this.users = users;
        this.context = context;
        this.events = events;
        this.settings = configuration.mailbox();
    }

    /** Keeps the message in the quarantine and deletes it from its mailbox; returns what was found, with the entry's id. */
    public MailboxScanner.Finding takeOut(MessageManager mailbox, MessageResult message, MailboxSession session, QuarantineReason reason,
                                          ScanVerdict verdict, Optional<String> bannedReason, String trigger) throws MailboxException, IOException {
        return takeOut(mailbox, message, session, reason, verdict, Optional.empty(), bannedReason, trigger);
    }

    /** As {@link #takeOut(MessageManager, MessageResult, MailboxSession, QuarantineReason, ScanVerdict, Optional, String)}, with how the scan was done (whole, by parts) in the entry's verdict. */
    public MailboxScanner.Finding takeOut(MessageManager mailbox, MessageResult message, MailboxSession session, QuarantineReason reason,
                                          MessageScan scan, Optional<String> bannedReason, String trigger) throws MailboxException, IOException {
        return takeOut(mailbox, message, session, reason, scan.verdict(), Optional.of(scan), bannedReason, trigger);
    }

    private MailboxScanner.Finding takeOut(MessageManager mailbox, MessageResult message, MailboxSession session, QuarantineReason reason,
                                           ScanVerdict verdict, Optional<MessageScan> scan, Optional<String> bannedReason, String trigger)
            throws MailboxException, IOException {
        Username owner = session.getUser();
        MailImpl mail = mail(owner, message, verdict, bannedReason);
        scan.ifPresent(done -> done.recordOn(mail));
        QuarantineEntry entry;
        try {
            MailboxOrigin origin = new MailboxOrigin(owner.asString(), mailbox.getMailboxPath().getName());
            entry = store.store(mail, reason, verdict.names(), Optional.empty(), verdictMap(mail), Optional.of(origin));
            mailbox.delete(List.of(message.getUid()), session);
            LOGGER.info("Message {} in {} of {} ({}) taken out into quarantine entry {}", message.getUid().asLong(), origin.mailbox(),
                owner.asString(), reason.asString(), entry.id());
            Map<String, String> details = new HashMap<>(Map.of("quarantineId", entry.id().asString(), "reason", reason.asString(),
                "origin", "mailbox", "owner", owner.asString(), "mailbox", origin.mailbox(), "trigger", trigger));
            if (!entry.virusNames().isEmpty()) {
                details.put("virusNames", String.join(",", entry.virusNames()));
            }
            events.record(SecurityEvent.of(java.time.Instant.now(), "quarantine.stored", entry.messageId(), Optional.empty(),
                entry.recipients(), details));
            notices(mail, entry);
        } finally {
            mail.dispose();
        }
        List<String> names = bannedReason.map(List::of)
            .orElseGet(() -> verdict.names().isEmpty() ? verdict.reason().map(List::of).orElse(List.of()) : verdict.names());
        return finding(owner, mailbox, message, reason.asString(), names, Optional.of(entry.id().asString()));
    }

    static MailboxScanner.Finding finding(Username owner, MessageManager mailbox, MessageResult message, String verdict, List<String> names,
                                          Optional<String> quarantineId) {
        return new MailboxScanner.Finding(owner.asString(), mailbox.getMailboxPath().getName(), message.getUid().asLong(),
            header(message, "Subject"), header(message, "Message-ID"), verdict, names, quarantineId);
    }

    private MailImpl mail(Username owner, MessageResult message, ScanVerdict verdict, Optional<String> bannedReason)
            throws MailboxException, IOException {
        byte[] bytes;
        try (InputStream in = message.getFullContent().getInputStream()) {
            bytes = in.readAllBytes();
        }
        String name = "mailbox-" + UUID.randomUUID();
        try {
            MailImpl.Builder mail = MailImpl.builder()
                .name(name)
                .sender(MaybeSender.nullSender())
                .addRecipient(address(owner))
                // A plain MimeMessage keeps the bytes as read and holds no James resource to release.
                .mimeMessage(new javax.mail.internet.MimeMessage(javax.mail.Session.getInstance(new java.util.Properties()),
                    new ByteArrayInputStream(bytes)))
                .addAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of(verdict.status().name())))
                .addAttribute(new Attribute(BulwarkAttributes.VIRUS_SCAN_TIME, AttributeValue.of(java.time.Instant.now().toString())));
            if (!verdict.names().isEmpty()) {
                mail.addAttribute(new Attribute(BulwarkAttributes.VIRUS_NAMES, AttributeValue.of(String.join(",", verdict.names()))));
            }
            verdict.reason().ifPresent(why -> mail.addAttribute(new Attribute(BulwarkAttributes.VIRUS_REASON, AttributeValue.of(why))));
            verdict.endpoint().ifPresent(e -> mail.addAttribute(new Attribute(BulwarkAttributes.VIRUS_ENDPOINT, AttributeValue.of(e.toString()))));
            verdict.engine().ifPresent(e -> mail.addAttribute(new Attribute(BulwarkAttributes.VIRUS_ENGINE, AttributeValue.of(e))));
            bannedReason.ifPresent(reason -> mail.addAttribute(new Attribute(HasBannedAttachment.REASON, AttributeValue.of(reason))));
            return mail.build();
        } catch (MessagingException e) {
            throw new IOException("cannot read the message as mail: " + e.getMessage(), e);
        }
    }

    private MailAddress address(Username owner) throws IOException {
        try {
            return users.getMailAddressFor(owner);
        } catch (UsersRepositoryException e) {
            throw new IOException("no address for " + owner.asString() + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> verdictMap(MailImpl mail) {
        Map<String, String> verdict = new java.util.TreeMap<>();
        mail.attributes().filter(a -> a.getName().asString().startsWith("bulwark."))
            .forEach(a -> verdict.put(a.getName().asString(), String.valueOf(a.getValue().value())));
        return verdict;
    }

    /** The notices, through the operator's own notice mailets; a notice that cannot be sent leaves the quarantine as it is. */
    private void notices(MailImpl mail, QuarantineEntry entry) {
        if (!settings.notices()) {
            return;
        }
        try {
            MailImpl notice = MailImpl.duplicate(mail);
            try {
                notice.setName(mail.getName() + "-notices");
                notice.setAttribute(new Attribute(QuarantineStore.STORED, AttributeValue.of(entry.id().asString())));
                notice.setAttribute(new Attribute(QuarantineStore.ID, AttributeValue.of(entry.id().asString())));
                // The notices name the entry's reason, not one guessed from the verdict (banned where clamd gave none, held unscannable).
                notice.setAttribute(new Attribute(dev.bulwark.mailets.Quarantine.REASON_ATTRIBUTE, AttributeValue.of(entry.reason().asString())));
                context.sendMail(notice, settings.noticeProcessor());
            } finally {
                notice.dispose();
            }
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("No notices for quarantine entry {} (processor {}): {}", entry.id(), settings.noticeProcessor(), e.getMessage());
        }
    }

    static Optional<String> header(MessageResult message, String name) {
        try {
            Iterator<Header> headers = message.getHeaders().headers();
            while (headers.hasNext()) {
                Header header = headers.next();
                if (header.getName().equalsIgnoreCase(name)) {
                    return Optional.of(MimeUtility.decodeText(MimeUtility.unfold(header.getValue()).trim()));
                }
            }
            return Optional.empty();
        } catch (MailboxException | java.io.UnsupportedEncodingException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
