package dev.bulwark.extension.rescan;

import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.internet.MimeUtility;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.MailboxMetaData;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.mailbox.MailboxQuarantine;
import dev.bulwark.extension.mailbox.MailboxScanner;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.security.LogText;

import reactor.core.publisher.Flux;

/**
 * Rescans mail already delivered to mailboxes since a given time, read through James's own mailbox API
 * (any mailbox backend), and reports what is now detected; with {@code rescan.deliveredAction=quarantine}
 * it also takes it out of its mailbox into the quarantine, as store-level scanning does. Otherwise it reads
 * only. A message whose scan stamp records a decision to let a finding through (an admin's release, a policy's
 * deliver-tagged) is left where it is, unscanned, and reported as skipped, as the on-demand mailbox scan leaves it
 * ({@link MailboxScanner.Stamps#DECISIONS} says why): new signatures do not undo what an admin or a policy decided.
 */
public class DeliveredMailRescan {
    /** A delivered message that the new signatures detect; the quarantine entry when it was taken out. */
    public record Detection(String recipient, String mailbox, Optional<String> messageId, Optional<String> subject, ScanVerdict verdict,
                            Optional<String> quarantineId) {
    }

    /** How many delivered messages were scanned, detected, could not be scanned, and were skipped for their stamp's decision. */
    public record Outcome(long scanned, long detected, long errors, long skipped) {
    }

    /** Where the rescan tells what it found and what it left unscanned, as it goes. */
    public interface Report {
        void detected(Detection detection);

        void skipped(MailboxScanner.Skipped skipped);
    }

    /** One message's outcome: its verdict, or skipped for its stamp's decision, or neither (unreadable, unscanned, not taken out). */
    private record Scanned(Optional<ScanVerdict> verdict, boolean skipped) {
        static final Scanned FAILED = new Scanned(Optional.empty(), false);
        static final Scanned SKIPPED = new Scanned(Optional.empty(), true);
    }

    private static final org.slf4j.Logger LOGGER = org.slf4j.LoggerFactory.getLogger(DeliveredMailRescan.class);

    static final String TRIGGER = "retroactive rescan";

    private final UsersRepository users;
    private final MailboxManager mailboxes;
    private final MailboxQuarantine quarantine;
    private final MailboxScanner decisions;

    @Inject
    public DeliveredMailRescan(UsersRepository users, MailboxManager mailboxes, MailboxQuarantine quarantine, MailboxScanner decisions) {
        this.users = users;
        this.mailboxes = mailboxes;
        this.quarantine = quarantine;
        this.decisions = decisions;
    }

    public Outcome rescanSince(Instant since, VirusScanner scanner, BulwarkConfiguration.DeliveredAction action, Report report)
            throws InterruptedException {
        long scanned = 0;
        long found = 0;
        long errors = 0;
        long skipped = 0;
        Iterator<Username> all;
        try {
            all = users.list();
        } catch (UsersRepositoryException e) {
            throw new IllegalStateException("cannot list the users: " + e.getMessage(), e);
        }
        while (all.hasNext()) {
            Username user = all.next();
            MailboxSession session = mailboxes.createSystemSession(user);
            try {
                List<MailboxPath> own = mailboxes.search(MailboxQuery.privateMailboxesBuilder(session).build(), session)
                    .map(MailboxMetaData::getPath).collectList().block();
                for (MailboxPath path : own) {
                    MessageManager mailbox = mailboxes.getMailbox(path, session);
                    List<MessageUid> recent = Flux.from(mailbox.search(SearchQuery.of(
                        SearchQuery.internalDateAfter(Date.from(since), SearchQuery.DateResolution.Second)), session)).collectList().block();
                    for (MessageUid uid : recent) {
                        if (Thread.interrupted()) {
                            throw new InterruptedException("rescan of delivered mail cancelled");
                        }
                        Scanned outcome = scan(mailbox, uid, session, scanner, action, path, report);
                        if (outcome.skipped()) {
                            skipped++;
                            continue;
                        }
                        Optional<ScanVerdict> verdict = outcome.verdict();
                        scanned++;
                        if (verdict.isEmpty()) {
                            errors++;
                        } else if (isDetection(verdict.get())) {
                            found++;
                        }
                    }
                }
            } catch (MailboxException | RuntimeException e) {
                LOGGER.warn("Delivered mail of {} not rescanned: {}", user.asString(), e.toString());
                errors++;
            } finally {
                mailboxes.endProcessingRequest(session);
            }
        }
        return new Outcome(scanned, found, errors, skipped);
    }

    private static boolean isDetection(ScanVerdict verdict) {
        return verdict.status() == ScanVerdict.Status.INFECTED || verdict.status() == ScanVerdict.Status.SUSPICIOUS;
    }

    /** The verdict, skipped for the stamp's decision, or neither when the message could not be read or scanned (or, when detected, taken out). */
    private Scanned scan(MessageManager mailbox, MessageUid uid, MailboxSession session, VirusScanner scanner,
                         BulwarkConfiguration.DeliveredAction action, MailboxPath path, Report report)
            throws MailboxException {
        MessageResultIterator results = mailbox.getMessages(MessageRange.one(uid), FetchGroup.FULL_CONTENT, session);
        if (!results.hasNext()) {
            return Scanned.FAILED;
        }
        MessageResult message = results.next();
        Optional<MailboxScanner.Skipped> skipped;
        try {
            skipped = decisions.skippedForDecision(mailbox, message, session, TRIGGER);
        } catch (IOException e) {
            LOGGER.warn("Delivered message {} in {}'s {} not rescanned: its scan stamp could not be read: {}", uid.asLong(),
                session.getUser().asString(), LogText.of(path.getName()), e.toString());
            return Scanned.FAILED;
        }
        if (skipped.isPresent()) {
            report.skipped(skipped.get());
            return Scanned.SKIPPED;
        }
        // Whole when it fits clamd's stream limit, part by part otherwise, as the pipeline and store-level scanning do.
        ScanVerdict verdict = dev.bulwark.mailets.MessageScan.of(scanner, () -> {
            try {
                return message.getFullContent().getInputStream();
            } catch (MailboxException e) {
                throw new IOException(e.getMessage(), e);
            }
        }, message.getSize()).verdict();
        if (verdict.status() == ScanVerdict.Status.ERROR || verdict.status() == ScanVerdict.Status.UNSCANNABLE) {
            return Scanned.FAILED;
        }
        if (isDetection(verdict)) {
            Optional<String> quarantineId = Optional.empty();
            boolean failed = false;
            if (action == BulwarkConfiguration.DeliveredAction.QUARANTINE) {
                try {
                    QuarantineReason reason = verdict.status() == ScanVerdict.Status.INFECTED ? QuarantineReason.VIRUS : QuarantineReason.SUSPICIOUS;
                    quarantineId = quarantine.takeOut(mailbox, message, session, reason, verdict, Optional.empty(), TRIGGER).quarantineId();
                } catch (IOException | MailboxException | RuntimeException e) {
                    // Reported, and left where it is: the next rescan or an on-demand scan tries again.
                    LOGGER.warn("Delivered message {} in {}'s {} now detected but not taken out: {}", uid.asLong(),
                        session.getUser().asString(), LogText.of(path.getName()), e.toString());
                    failed = true;
                }
            }
            report.detected(new Detection(session.getUser().asString(), path.getName(), header(message, "Message-ID"), header(message, "Subject"),
                verdict, quarantineId));
            if (failed) {
                return Scanned.FAILED;
            }
        }
        return new Scanned(Optional.of(verdict), false);
    }

    private static Optional<String> header(MessageResult message, String name) {
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
