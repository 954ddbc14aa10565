package dev.bulwark.extension.mailbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
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

import dev.bulwark.extension.alerts.AdminAlerts;
import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.mailets.MessageScan;
import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.HasBannedAttachment;
import dev.bulwark.notifications.NoticeText;
import dev.bulwark.quarantine.MailboxOrigin;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.security.LogText;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/**
 * Takes a message out of its mailbox into Bulwark's quarantine, with its owner, mailbox, the user who added it
 * (the actor, for an arrival) and its verdict: kept first, deleted from the mailbox only once kept (a failure
 * leaves it where it is, never lost). The {@code quarantine.stored} event and the notices follow as for pipeline
 * quarantine: a copy goes through {@code mailbox.noticeProcessor} (the pipeline's quarantine processor) marked as
 * already kept, so that the same NotifyAdmin and NotifyRecipients mailets, with the same templates and limits,
 * tell about it; it comes from no sender, so no sender notice is ever sent.
 *
 * <p>What infected arrivals move into the shared quarantine is charged to the mailbox owner's take-out budget
 * ({@link TakeOutBudget}: {@code mailbox.takeOutsPerOwnerPerDay}, {@code mailbox.takeOutBytesPerOwnerPerDay}).
 * Past the budget the message is still taken out of the mailbox, because this is a security product and infected
 * content never stays where the user reads it, but it is deleted without a copy: keeping it would be the storage
 * the budget exists to refuse, and leaving it would hand the user the virus. What is kept is its metadata and
 * verdict, in a {@value #DELETED_OVER_BUDGET} security event naming owner, actor, mailbox and the window's counts;
 * the postmaster is alerted once per owner and window (through {@link AdminAlerts}, rate limited as every alert),
 * not once per message, so the flood that spent the budget cannot become a flood of alerts. No notices go out for
 * such a deletion: the notice mail would carry the message again. Admin-started scans (on-demand, rescans) are not
 * charged: an admin chose to run them.
 */
@Singleton
public class MailboxQuarantine {
    /** The event of a message deleted from its mailbox without a copy, its owner's take-out budget spent. */
    public static final String DELETED_OVER_BUDGET = "mailbox.deleted-over-budget";
    /** Characters of a header's text kept in findings, skips and events. */
    static final int MAX_HEADER_TEXT = 1000;
    private static final Logger LOGGER = LoggerFactory.getLogger(MailboxQuarantine.class);

    private final QuarantineStore store;
    private final UsersRepository users;
    private final MailetContext context;
    private final SecurityEventSink events;
    private final BulwarkConfiguration.Mailbox settings;
    private final AdminAlerts alerts;
    private final TakeOutBudget budget;

    @Inject
    public MailboxQuarantine(QuarantineStore store, UsersRepository users, MailetContext context, SecurityEventSink events,
                             BulwarkConfiguration configuration, AdminAlerts alerts) {
        this.store = store;
        this.users = users;
        this.context = context;
        this.events = events;
        this.settings = configuration.mailbox();
        this.alerts = alerts;
        this.budget = new TakeOutBudget(settings.takeOutsPerOwnerPerDay(), settings.takeOutBytesPerOwnerPerDay(), Duration.ofDays(1),
            Clock.systemUTC());
    }

    /** Keeps the message in the quarantine and deletes it from its mailbox; returns what was found, with the entry's id. */
    public MailboxScanner.Finding takeOut(MessageManager mailbox, MessageResult message, MailboxSession session, QuarantineReason reason,
                                          ScanVerdict verdict, Optional<String> bannedReason, String trigger) throws MailboxException, IOException {
        return takeOut(mailbox, message, session, reason, verdict, Optional.empty(), bannedReason, trigger, Optional.empty());
    }

    /**
     * As {@link #takeOut(MessageManager, MessageResult, MailboxSession, QuarantineReason, ScanVerdict, Optional, String)}, with how
     * the scan was done (whole, by parts) in the entry's verdict; {@code addedBy}: the user whose session added the message, for an
     * arrival (recorded as the entry's actor, and the take-out charged to the owner's budget), empty for an admin's scan.
     */
    public MailboxScanner.Finding takeOut(MessageManager mailbox, MessageResult message, MailboxSession session, QuarantineReason reason,
                                          MessageScan scan, Optional<String> bannedReason, String trigger, Optional<Username> addedBy)
            throws MailboxException, IOException {
        return takeOut(mailbox, message, session, reason, scan.verdict(), Optional.of(scan), bannedReason, trigger, addedBy);
    }

    private MailboxScanner.Finding takeOut(MessageManager mailbox, MessageResult message, MailboxSession session, QuarantineReason reason,
                                           ScanVerdict verdict, Optional<MessageScan> scan, Optional<String> bannedReason, String trigger,
                                           Optional<Username> addedBy)
            throws MailboxException, IOException {
        Username owner = session.getUser();
        List<String> names = bannedReason.map(List::of)
            .orElseGet(() -> verdict.names().isEmpty() ? verdict.reason().map(List::of).orElse(List.of()) : verdict.names());
        long size = message.getSize();
        // Only what clamd found infected is charged (and, past the budget, deleted): banned, suspicious and unscannable
        // content is not known to be bad (an old .exe an IMAP migration brings, a big encrypted archive) and is kept.
        boolean charged = addedBy.isPresent() && reason == QuarantineReason.VIRUS;
        if (charged) {
            TakeOutBudget.Charge charge = budget.charge(owner.asString(), size);
            if (!charge.allowed()) {
                deleteOverBudget(mailbox, message, session, reason, verdict, names, trigger, addedBy.get(), charge);
                return finding(owner, mailbox, message, reason.asString(), names, Optional.empty());
            }
        }
        MailImpl mail;
        QuarantineEntry entry;
        MailboxOrigin origin = new MailboxOrigin(owner.asString(), mailbox.getMailboxPath().getName(), addedBy.map(Username::asString));
        try {
            mail = mail(owner, message, verdict, bannedReason);
            try {
                scan.ifPresent(done -> done.recordOn(mail));
                entry = store.store(mail, reason, verdict.names(), Optional.empty(), verdictMap(mail), Optional.of(origin));
            } catch (RuntimeException e) {
                mail.dispose();
                throw e;
            }
        } catch (MailboxException | IOException | RuntimeException e) {
            // Not taken out: the charge goes back.
            if (charged) {
                budget.giveBack(owner.asString(), size);
            }
            throw e;
        }
        try {
            mailbox.delete(List.of(message.getUid()), session);
            LOGGER.info("Message {} in {} of {} ({}) taken out into quarantine entry {}", message.getUid().asLong(), LogText.of(origin.mailbox()),
                owner.asString(), reason.asString(), entry.id());
            Map<String, String> details = new HashMap<>(Map.of("quarantineId", entry.id().asString(), "reason", reason.asString(),
                "origin", "mailbox", "owner", owner.asString(), "mailbox", origin.mailbox(), "trigger", trigger));
            addedBy.ifPresent(actor -> details.put("actor", actor.asString()));
            if (!entry.virusNames().isEmpty()) {
                details.put("virusNames", String.join(",", entry.virusNames()));
            }
            events.record(SecurityEvent.of(java.time.Instant.now(), "quarantine.stored", entry.messageId(), Optional.empty(),
                entry.recipients(), details));
            notices(mail, entry);
        } finally {
            mail.dispose();
        }
        return finding(owner, mailbox, message, reason.asString(), names, Optional.of(entry.id().asString()));
    }

    /** Past the owner's budget: out of the mailbox, no copy kept; the event keeps what is known of it, the admin hears once a window. */
    private void deleteOverBudget(MessageManager mailbox, MessageResult message, MailboxSession session, QuarantineReason reason,
                                  ScanVerdict verdict, List<String> names, String trigger, Username actor, TakeOutBudget.Charge charge)
            throws MailboxException {
        Username owner = session.getUser();
        String mailboxName = mailbox.getMailboxPath().getName();
        mailbox.delete(List.of(message.getUid()), session);
        LOGGER.warn("Message {} in {} of {} ({}, added by {}) deleted without a copy: the owner's take-out budget is spent "
                + "({} of {} messages, {} of {} bytes today; {} refused)", message.getUid().asLong(), LogText.of(mailboxName), owner.asString(),
            reason.asString(), actor.asString(), charge.messages(), budget.maxMessages(), charge.bytes(), budget.maxBytes(), charge.refused());
        Map<String, String> details = new HashMap<>();
        details.put("reason", reason.asString());
        details.put("origin", "mailbox");
        details.put("owner", owner.asString());
        details.put("actor", actor.asString());
        details.put("mailbox", mailboxName);
        details.put("uid", Long.toString(message.getUid().asLong()));
        details.put("size", Long.toString(message.getSize()));
        details.put("trigger", trigger);
        details.put("kept", "metadata only");
        details.put("takenOutToday", Integer.toString(charge.messages()));
        details.put("takenOutBytesToday", Long.toString(charge.bytes()));
        details.put("refusedToday", Integer.toString(charge.refused()));
        details.put("maxMessages", Integer.toString(budget.maxMessages()));
        details.put("maxBytes", Long.toString(budget.maxBytes()));
        if (!names.isEmpty()) {
            details.put(verdict.names().isEmpty() ? "findings" : "virusNames", String.join(",", names));
        }
        header(message, "Subject").ifPresent(subject -> details.put("subject", subject));
        events.record(SecurityEvent.of(java.time.Instant.now(), DELETED_OVER_BUDGET, header(message, "Message-ID"), Optional.empty(),
            List.of(owner.asString()), details));
        if (charge.firstAlert()) {
            alerts.alert("[Bulwark] mailbox take-out budget spent by " + owner.asString(),
                "Store-level scanning took " + charge.messages() + " message(s) (" + charge.bytes() + " bytes) out of the mailboxes of "
                    + owner.asString() + " into the quarantine today, the most " + BulwarkConfiguration.MAILBOX_TAKE_OUTS_PER_OWNER_PER_DAY
                    + " (" + budget.maxMessages() + ") and " + BulwarkConfiguration.MAILBOX_TAKE_OUT_BYTES_PER_OWNER_PER_DAY + " ("
                    + budget.maxBytes() + " bytes) allow.\n"
                    + "Further infected or banned messages added to them are deleted without a copy until the day is over; this one was "
                    + reason.asString() + " in " + NoticeText.oneLine(mailboxName) + ", added by " + actor.asString() + ".\n"
                    + "Each deletion is a " + DELETED_OVER_BUDGET + " event: GET /bulwark/events?kind=" + DELETED_OVER_BUDGET + "&recipient="
                    + owner.asString() + "\n"
                    + "This alert is sent once per owner and day.");
        }
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
        return headers(message, name).stream().findFirst().map(value -> {
            try {
                return capped(MimeUtility.decodeText(value));
            } catch (java.io.UnsupportedEncodingException e) {
                return capped(value);
            }
        });
    }

    /** Every value of a header, unfolded and trimmed, not decoded; none when the headers cannot be read. */
    static List<String> headers(MessageResult message, String name) {
        try {
            List<String> values = new java.util.ArrayList<>();
            Iterator<Header> headers = message.getHeaders().headers();
            while (headers.hasNext()) {
                Header header = headers.next();
                if (header.getName().equalsIgnoreCase(name)) {
                    values.add(MimeUtility.unfold(header.getValue()).trim());
                }
            }
            return values;
        } catch (MailboxException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * A header's text as findings, skips and events keep it: at most {@value #MAX_HEADER_TEXT} characters, so that a
     * message with a megabyte subject cannot swell a task's details (a hundred findings each) or an event.
     */
    private static String capped(String text) {
        return text.codePointCount(0, text.length()) <= MAX_HEADER_TEXT ? text
            : text.substring(0, text.offsetByCodePoints(0, MAX_HEADER_TEXT)) + "\u2026";
    }
}
