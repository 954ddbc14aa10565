package dev.bulwark.extension.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventDeadLetters;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.mailets.MessageScan;
import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.matchers.attachments.AttachmentInspector;
import dev.bulwark.matchers.attachments.AttachmentPolicy;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.security.LogText;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/**
 * Scans messages in mailboxes with the clamd pool and the attachment policy, and acts on the verdict:
 * a message over clamd's stream limit is scanned part by part, as the pipeline scans it ({@link MessageScan});
 * infected, suspicious or banned content is taken out into the quarantine ({@link MailboxQuarantine}), and so is
 * a message with a part too large to scan, held there as unscannable. What no scanner answered for stays where
 * it is, flagged {@value #UNSCANNED}, and its event goes to James's event dead letters for
 * {@link MailboxScanListener}'s group, which {@link PendingMailboxScans} takes up again while clamd answers.
 * A message with a valid scan stamp (the pipeline judged it) is not scanned again when it arrives. A scan that
 * ignores stamps (an on-demand scan, with today's signatures) still leaves alone what a stamp says was let through
 * despite a finding on purpose ({@link Stamps#DECISIONS}).
 */
@Singleton
public class MailboxScanner {
    /** The IMAP keyword on a message no scanner could judge yet (a client may see it; nothing trusts it). */
    public static final String UNSCANNED = "$BulwarkUnscanned";
    private static final Logger LOGGER = LoggerFactory.getLogger(MailboxScanner.class);
    private static final int THREADS = 4;
    private static final int QUEUE = 1000;

    /** What became of one message. SKIPPED: left unscanned because its stamp records a decision ({@link Skipped}). */
    public enum Outcome { CLEAN, STAMPED, SKIPPED, TAKEN_OUT, UNJUDGED, GONE }

    /** Which valid scan stamps spare a message the scan. */
    public enum Stamps {
        /** Any kind: on arrival the pipeline, an admin's release or a policy has just vouched for the message. */
        ANY,
        /**
         * Only the stamps of a decision to let a finding through, which a rescan with today's signatures would only undo:
         * {@link ScanStamp.Kind#RELEASED}, an admin's release of this very message (a false positive overridden), and
         * {@link ScanStamp.Kind#POLICY_DELIVERED}, delivered tagged because the recipient's runtime policy accepts such a
         * finding. Store-level scanning applies no runtime policy of its own (whatever clamd or
         * {@code mailbox.attachmentPolicy} finds is taken out), so taking such a message out would overrule the policy
         * the pipeline already applied to exactly these bytes. A policy tightened since then is not applied to what it
         * delivered before. A {@link ScanStamp.Kind#SCANNED} stamp spares nothing here: "clean" is what today's
         * signatures are asked again.
         */
        DECISIONS;

        /** The kind, among a message's valid stamps, that spares it the scan; empty: scan it. */
        public Optional<ScanStamp.Kind> sparing(java.util.Set<ScanStamp.Kind> kinds) {
            return switch (this) {
                case ANY -> kinds.stream().findFirst();
                case DECISIONS -> java.util.stream.Stream.of(ScanStamp.Kind.RELEASED, ScanStamp.Kind.POLICY_DELIVERED).filter(kinds::contains)
                    .findFirst();
            };
        }
    }

    /** A message left where it was, unscanned, because its stamp records a decision; {@code reason}: the stamp's kind. */
    public record Skipped(String owner, String mailbox, long uid, Optional<String> subject, Optional<String> messageId, String reason) {
    }

    /** A message found infected, suspicious or banned, and where it was. */
    public record Finding(String owner, String mailbox, long uid, Optional<String> subject, Optional<String> messageId, String verdict,
                          List<String> names, Optional<String> quarantineId) {
        public Finding {
            names = List.copyOf(names);
        }
    }

    /** The outcome of one message; the finding when something was found, what was skipped and why when skipped. */
    public record Result(Outcome outcome, Optional<Finding> finding, Optional<Skipped> skipped) {
        Result(Outcome outcome, Optional<Finding> finding) {
            this(outcome, finding, Optional.empty());
        }

        static Result of(Outcome outcome) {
            return new Result(outcome, Optional.empty());
        }
    }

    private final MailboxManager mailboxes;
    private final Scanners scanners;
    private final ScanStamp stamp;
    private final MailboxQuarantine quarantine;
    private final EventDeadLetters deadLetters;
    private final SecurityEventSink events;
    private final Optional<AttachmentInspector> attachments;
    private final ThreadPoolExecutor executor;
    /** Messages sent to clamd, and messages spared because the pipeline's stamp vouched for them. */
    private final org.apache.james.metrics.api.Metric scanned;
    private final org.apache.james.metrics.api.Metric stamped;

    @Inject
    public MailboxScanner(MailboxManager mailboxes, Scanners scanners, ScanStamp stamp, MailboxQuarantine quarantine,
                          EventDeadLetters deadLetters, SecurityEventSink events, BulwarkConfiguration configuration,
                          org.apache.james.metrics.api.MetricFactory metrics) {
        this.mailboxes = mailboxes;
        this.scanned = metrics.generate("bulwark_mailbox_scanned");
        this.stamped = metrics.generate("bulwark_mailbox_stamped");
        this.scanners = scanners;
        this.stamp = stamp;
        this.quarantine = quarantine;
        this.deadLetters = deadLetters;
        this.events = events;
        this.attachments = configuration.mailbox().attachmentPolicy()
            .filter(policy -> policy.equalsIgnoreCase(BulwarkConfiguration.Mailbox.NONE)).isPresent()
            ? Optional.empty()
            : Optional.of(new AttachmentInspector(AttachmentPolicy.parse(configuration.mailbox().attachmentPolicy().orElse(""))));
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(QUEUE), runnable -> {
            Thread thread = new Thread(runnable, "bulwark-mailbox-scan-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, this::rejected);
    }

    /**
     * A scan the executor will not take. Full: the event thread scans itself (slower under a flood of appends,
     * nothing dropped). Stopped: kept for a later pass, as {@link #stop} keeps what was queued (the JDK's
     * CallerRunsPolicy would discard it silently once the executor is shut down).
     */
    private void rejected(Runnable job, ThreadPoolExecutor by) {
        if (!by.isShutdown()) {
            job.run();
        } else if (job instanceof ScanJob scan) {
            LOGGER.info("Mailbox scanning stopped: the {} message(s) added to {} of {} are kept for a later scan", scan.added.getUids().size(),
                LogText.of(scan.added.getMailboxPath().getName()), scan.added.getMailboxPath().getUser().asString());
            keepForLater(scan.added);
        }
    }

    /** Scans the added messages on Bulwark's threads; the caller (the event thread, a client waiting) goes on. */
    public void submit(MailboxEvents.Added added) {
        executor.execute(new ScanJob(added));
    }

    private final class ScanJob implements Runnable {
        private final MailboxEvents.Added added;

        ScanJob(MailboxEvents.Added added) {
            this.added = added;
        }

        @Override
        public void run() {
            scan(added);
        }
    }

    /**
     * Scans the messages an event added, as they arrive: a message stamped by the pipeline is not scanned again. The
     * event's user (whose session added them: the owner, or another user on a shared mailbox, or an importer) is
     * recorded as the actor of what is taken out, which is charged to the owner's take-out budget.
     */
    public void scan(MailboxEvents.Added added) {
        Username owner = added.getMailboxPath().getUser();
        Optional<Username> actor = Optional.ofNullable(added.getUsername());
        MailboxSession session = mailboxes.createSystemSession(owner);
        try {
            MessageManager mailbox;
            try {
                mailbox = mailboxes.getMailbox(added.getMailboxId(), session);
            } catch (MailboxException e) {
                LOGGER.info("Mailbox {} of {} is gone before its new messages were scanned: {}", LogText.of(added.getMailboxPath().getName()),
                    owner.asString(), e.getMessage());
                return;
            }
            for (MessageUid uid : added.getUids()) {
                Result result = scanGuarded(mailbox, uid, session, "arrival", Stamps.ANY, actor);
                if (result.outcome() == Outcome.UNJUDGED) {
                    later(added, uid);
                }
            }
        } finally {
            mailboxes.endProcessingRequest(session);
        }
    }

    /**
     * Scans one message and acts on the verdict; never throws. UNJUDGED: a later pass could judge it (no
     * scanner answered, or the mailbox could not be read). A message with a part too large for clamd is
     * TAKEN_OUT, held in the quarantine as unscannable.
     *
     * @param trigger     what asked for the scan, in the events: arrival, on-demand scan, retroactive rescan
     * @param stamps  which valid scan stamps spare the scan: any on arrival (the pipeline just judged it), only a
     *                decision's in an on-demand scan
     */
    public Result scanGuarded(MessageManager mailbox, MessageUid uid, MailboxSession session, String trigger, Stamps stamps) {
        return scanGuarded(mailbox, uid, session, trigger, stamps, Optional.empty());
    }

    /**
     * As {@link #scanGuarded(MessageManager, MessageUid, MailboxSession, String, Stamps)}, for an arrival: {@code addedBy} is the
     * user whose session added the message (the actor in the events and the quarantine entry; what is taken out is charged
     * to the owner's take-out budget); empty for a scan an admin started.
     */
    Result scanGuarded(MessageManager mailbox, MessageUid uid, MailboxSession session, String trigger, Stamps stamps,
                       Optional<Username> addedBy) {
        try {
            return scan(mailbox, uid, session, trigger, stamps, addedBy);
        } catch (MailboxException | IOException | RuntimeException e) {
            LOGGER.warn("Message {} in {} of {} not scanned: {}", uid.asLong(), LogText.of(mailbox.getMailboxPath().getName()),
                session.getUser().asString(), e.toString());
            record("mailbox.scan-failed", session.getUser(), addedBy, mailbox, uid, Optional.empty(), Map.of("reason", String.valueOf(e.getMessage()),
                "trigger", trigger));
            return Result.of(Outcome.UNJUDGED);
        }
    }

    private Result scan(MessageManager mailbox, MessageUid uid, MailboxSession session, String trigger, Stamps stamps,
                        Optional<Username> addedBy) throws MailboxException, IOException {
        MessageResultIterator results = mailbox.getMessages(MessageRange.one(uid), FetchGroup.FULL_CONTENT, session);
        if (!results.hasNext()) {
            return Result.of(Outcome.GONE); // expunged or moved meanwhile: its new place has its own event
        }
        MessageResult message = results.next();
        Content content = message.getFullContent();
        Username owner = session.getUser();
        if (stamps == Stamps.ANY && Stamps.ANY.sparing(kinds(message, owner, Stamps.ANY)).isPresent()) {
            stamped.increment();
            return Result.of(Outcome.STAMPED);
        }
        if (stamps == Stamps.DECISIONS) {
            Optional<Skipped> skipped = skippedForDecision(mailbox, message, session, trigger);
            if (skipped.isPresent()) {
                return new Result(Outcome.SKIPPED, Optional.empty(), skipped);
            }
        }
        scanned.increment();
        // As the pipeline scans: whole within clamd's stream limit, each part its own stream beyond it.
        MessageScan scan = MessageScan.of(scanners.clamd(), content::getInputStream, message.getSize());
        ScanVerdict verdict = scan.verdict();
        if (verdict.status() == ScanVerdict.Status.INFECTED || verdict.status() == ScanVerdict.Status.SUSPICIOUS) {
            QuarantineReason reason = verdict.status() == ScanVerdict.Status.INFECTED ? QuarantineReason.VIRUS : QuarantineReason.SUSPICIOUS;
            Map<String, String> details = new java.util.HashMap<>(Map.of("virusNames", String.join(",", verdict.names()), "trigger", trigger,
                "scanMode", scan.mode().asString()));
            verdict.endpoint().ifPresent(endpoint -> details.put("endpoint", endpoint.toString()));
            verdict.engine().ifPresent(engine -> details.put("engine", engine));
            record("verdict." + verdict.status().name().toLowerCase(java.util.Locale.ROOT), owner, addedBy, mailbox, uid, messageId(message), details);
            return new Result(Outcome.TAKEN_OUT, Optional.of(quarantine.takeOut(mailbox, message, session, reason, scan, Optional.empty(), trigger, addedBy)));
        }
        // The attachment check whatever clamd said: a banned part is banned even in a message clamd could not judge.
        Optional<String> banned = banned(content);
        if (banned.isPresent()) {
            record("mailbox.banned", owner, addedBy, mailbox, uid, messageId(message), Map.of("reason", banned.get(), "trigger", trigger));
            return new Result(Outcome.TAKEN_OUT, Optional.of(quarantine.takeOut(mailbox, message, session, QuarantineReason.BANNED, scan,
                banned, trigger, addedBy)));
        }
        String reason = verdict.reason().orElse("no verdict");
        if (verdict.status() == ScanVerdict.Status.UNSCANNABLE) {
            // A part over clamd's limit: no later pass can judge it, so it is held as the pipeline holds such mail, not left readable.
            record("verdict.unscannable", owner, addedBy, mailbox, uid, messageId(message), Map.of("reason", reason, "trigger", trigger,
                "scanMode", scan.mode().asString()));
            return new Result(Outcome.TAKEN_OUT, Optional.of(quarantine.takeOut(mailbox, message, session, QuarantineReason.UNSCANNABLE, scan,
                Optional.empty(), trigger, addedBy)));
        }
        if (verdict.status() == ScanVerdict.Status.ERROR) {
            flag(mailbox, uid, session, true);
            record("mailbox.scan-failed", owner, addedBy, mailbox, uid, messageId(message), Map.of("reason", reason, "trigger", trigger,
                "status", verdict.status().name()));
            LOGGER.warn("Message {} in {} of {} could not be scanned ({}); left in place, flagged {}", uid.asLong(),
                LogText.of(mailbox.getMailboxPath().getName()), owner.asString(), LogText.of(reason), UNSCANNED);
            return Result.of(Outcome.UNJUDGED);
        }
        if (message.getFlags().contains(UNSCANNED)) {
            flag(mailbox, uid, session, false);
        }
        return Result.of(Outcome.CLEAN);
    }

    /**
     * Whether a scan with today's signatures leaves this message where it is, unscanned, because its valid stamp records a
     * decision to let a finding through ({@link Stamps#DECISIONS}): what is skipped and why, for the scan's report; empty: scan
     * it. The one rule for every scan that asks today's signatures again: the on-demand scan ({@link MailboxScanTask}) and the
     * retroactive rescan of delivered mail, which judges mailbox messages its own way.
     *
     * @param trigger what scans, for the log: on-demand scan, retroactive rescan
     */
    public Optional<Skipped> skippedForDecision(MessageManager mailbox, MessageResult message, MailboxSession session, String trigger)
            throws MailboxException, IOException {
        Username owner = session.getUser();
        Optional<ScanStamp.Kind> decision = Stamps.DECISIONS.sparing(kinds(message, owner, Stamps.DECISIONS));
        if (decision.isEmpty()) {
            return Optional.empty();
        }
        LOGGER.info("Message {} in {} of {} left unscanned by the {}: its stamp says {}", message.getUid().asLong(),
            LogText.of(mailbox.getMailboxPath().getName()), owner.asString(), trigger, decision.get().token());
        return Optional.of(new Skipped(owner.asString(), mailbox.getMailboxPath().getName(), message.getUid().asLong(),
            MailboxQuarantine.header(message, "Subject"), messageId(message), decision.get().token()));
    }

    /**
     * The kinds of the valid stamps the message carries for its owner; empty: none. The message is read (and hashed) only
     * when a stamp header claims a kind that would spare it: an unstamped arrival, or a plainly scanned message in a scan
     * that spares only decisions, is not read an extra time.
     */
    private java.util.Set<ScanStamp.Kind> kinds(MessageResult message, Username owner, Stamps stamps) throws MailboxException, IOException {
        if (stamps.sparing(ScanStamp.claimed(MailboxQuarantine.headers(message, ScanStamp.HEADER))).isEmpty()) {
            return java.util.Set.of();
        }
        try (InputStream in = message.getFullContent().getInputStream()) {
            return stamp.kinds(owner.asString(), ScanStamp.digest(in));
        }
    }

    private Optional<String> banned(Content content) throws IOException, MailboxException {
        if (attachments.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = content.getInputStream()) {
            javax.mail.internet.MimeMessage message = new javax.mail.internet.MimeMessage(
                javax.mail.Session.getInstance(new java.util.Properties()), in);
            AttachmentInspector.Report report = attachments.get().report(message);
            return report.isBanned() ? Optional.of(String.join("; ", report.banned())) : Optional.empty();
        } catch (javax.mail.MessagingException e) {
            throw new IOException("cannot read the message's MIME structure: " + e.getMessage(), e);
        }
    }

    private void flag(MessageManager mailbox, MessageUid uid, MailboxSession session, boolean unscanned) throws MailboxException {
        mailbox.setFlags(new Flags(UNSCANNED), unscanned ? MessageManager.FlagsUpdateMode.ADD : MessageManager.FlagsUpdateMode.REMOVE,
            MessageRange.one(uid), session);
    }

    /** Keeps the message's arrival for a later pass, in James's event dead letters of the listener's group. */
    private void later(MailboxEvents.Added added, MessageUid uid) {
        SortedMap<MessageUid, MessageMetaData> one = new TreeMap<>(Map.of(uid, added.getMetaData(uid)));
        MailboxEvents.Added pending = new MailboxEvents.Added(added.getSessionId(), added.getUsername(), added.getMailboxPath(),
            added.getMailboxId(), one, Event.EventId.random(), added.isDelivery());
        try {
            deadLetters.store(MailboxScanListener.GROUP, pending).block();
        } catch (RuntimeException e) {
            // The message stays flagged in its mailbox; an on-demand mailbox scan finds it.
            LOGGER.error("Message {} in {} of {} not kept for a later scan: {}", uid.asLong(), LogText.of(added.getMailboxPath().getName()),
                added.getMailboxPath().getUser().asString(), e.toString());
        }
    }

    private void record(String kind, Username owner, Optional<Username> actor, MessageManager mailbox, MessageUid uid, Optional<String> messageId,
                        Map<String, String> details) {
        Map<String, String> all = new java.util.HashMap<>(details);
        all.put("origin", "mailbox");
        all.put("owner", owner.asString());
        actor.ifPresent(user -> all.put("actor", user.asString()));
        all.put("mailbox", mailbox.getMailboxPath().getName());
        all.put("uid", Long.toString(uid.asLong()));
        events.record(SecurityEvent.of(java.time.Instant.now(), kind, messageId, Optional.empty(), List.of(owner.asString()), all));
    }

    static Optional<String> messageId(MessageResult message) {
        return MailboxQuarantine.header(message, "Message-ID");
    }

    /** Scans still queued when James stops are kept for a later pass rather than forgotten. */
    @PreDestroy
    public void stop() {
        for (Runnable queued : executor.shutdownNow()) {
            if (queued instanceof ScanJob job) {
                keepForLater(job.added);
            }
        }
    }

    private void keepForLater(MailboxEvents.Added added) {
        for (MessageUid uid : added.getUids()) {
            later(added, uid);
        }
    }
}
