package dev.bulwark.extension.rescan;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.mailrepository.api.MailRepositoryPath;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.task.Task;
import org.apache.james.util.streams.Limit;
import org.apache.james.utils.UserDefinedStartable;
import org.apache.james.webadmin.service.ReprocessingService;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.mailbox.PendingMailboxScans;
import dev.bulwark.extension.quarantine.QuarantineEvents;
import dev.bulwark.extension.quarantine.QuarantineRelease;
import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.mailets.MessageScan;
import dev.bulwark.quarantine.MailboxOrigin;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineException;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineId;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.quarantine.Rescan;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.security.LogText;
import dev.bulwark.security.SecurityStore;

/**
 * Gives held mail another scan. Every {@code rescan.interval}, while some clamd is in service, each
 * mail held as scan-failed in Bulwark's store is scanned where it lies (by parts when it is big); once
 * it gets a verdict it goes back to {@code rescan.processor} (root by default) with that verdict, which
 * VirusScan takes instead of scanning it again, and its entry ends (event {@code held.returned}). Mail
 * that still gets no verdict stays held, untouched. Mail in {@code rescan.repository} (a plain James
 * repository: held before Bulwark kept held mail in its store, or when the store could not be written)
 * goes back the same way, through James's own ReprocessingService. None is dropped or delivered unscanned.
 *
 * <p>An admin's release of held mail ({@link #releaseAfterRescan}) scans it first and lets it go
 * through the whole pipeline only with a verdict.
 * Messages in mailboxes that no scanner could judge ({@link PendingMailboxScans}) are scanned again in the
 * same rounds. Held mail store-level scanning took out of a mailbox goes back to that mailbox instead of the
 * pipeline, unstamped: store-level scanning judges it there on arrival.
 */
@Singleton
public class HeldMailRescan implements UserDefinedStartable {
    public static final String RETURNED = "held.returned";
    static final String STAGE = "rescan";
    private static final Logger LOGGER = LoggerFactory.getLogger(HeldMailRescan.class);

    private final BulwarkConfiguration configuration;
    private final Scanners scanners;
    private final ReprocessingService reprocessing;
    private final QuarantineStore store;
    private final MailQueueFactory<? extends MailQueue> queues;
    private final SecurityStore security;
    private final Clock clock = Clock.systemUTC();
    private final PendingMailboxScans pendingMailboxScans;
    private final QuarantineRelease release;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bulwark-held-mail-rescan");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public HeldMailRescan(BulwarkConfiguration configuration, Scanners scanners, ReprocessingService reprocessing, QuarantineStore store,
                          MailQueueFactory<?> queues, SecurityStore security, PendingMailboxScans pendingMailboxScans,
                          QuarantineRelease release) {
        this.configuration = configuration;
        this.scanners = scanners;
        this.reprocessing = reprocessing;
        this.store = store;
        this.queues = queues;
        this.security = security;
        this.pendingMailboxScans = pendingMailboxScans;
        this.release = release;
    }

    @Override
    public void start() {
        long interval = configuration.rescan().interval().toMillis();
        executor.scheduleWithFixedDelay(this::rescanIfClamdAnswers, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void rescanIfClamdAnswers() {
        if (scanners.clamd().stats().stream().anyMatch(EndpointStats::available)) {
            rescanNow(false);
        }
    }

    /** The periodic rescan, now: mail held as scan-failed. */
    public boolean rescanNow() {
        return rescanNow(false);
    }

    /**
     * Scans all held mail now. One run at a time: two would both give back a mail listed by each.
     *
     * @param unscannableToo also mail held as unscannable (the retroactive rescan: the limits may have changed)
     * @return whether every held mail could be read and the mail with a verdict went back; what did not stays held
     */
    public synchronized boolean rescanNow(boolean unscannableToo) {
        try {
            pendingMailboxScans.rescanNow();
        } catch (RuntimeException e) {
            LOGGER.warn("Pending mailbox scans not taken up: {}", e.getMessage());
        }
        boolean complete = reprocessFallback();
        List<QuarantineReason> reasons = unscannableToo ? List.of(QuarantineReason.SCAN_FAILED, QuarantineReason.UNSCANNABLE)
            : List.of(QuarantineReason.SCAN_FAILED);
        for (QuarantineReason reason : reasons) {
            try {
                // One snapshot of the ids: paging while mail is held or given back would skip or repeat.
                List<QuarantineId> ids = store.list(filter(reason), 0, Integer.MAX_VALUE).entries().stream()
                    .filter(entry -> !entry.unreleasedRecipients().isEmpty())
                    .map(QuarantineEntry::id).toList();
                for (QuarantineId id : ids) {
                    complete &= rescan(id);
                }
            } catch (RuntimeException e) {
                LOGGER.warn("Rescan of held mail ({}) failed: {}", reason.asString(), e.getMessage());
                complete = false;
            }
        }
        return complete;
    }

    /** Scans one held mail where it lies; with a verdict, gives it back to the pipeline. @return false on a failure */
    private boolean rescan(QuarantineId id) {
        try {
            Optional<MessageScan> scan = store.withMail(id, mail -> MessageScan.of(scanners.clamd(), mail));
            if (scan.isEmpty() || !scan.get().hasVerdict()) {
                scan.ifPresent(s -> LOGGER.debug("Held mail {} still without a verdict: {}", id.asString(), s.verdict()));
                return true;
            }
            Optional<MailboxOrigin> origin = store.entry(id).flatMap(QuarantineEntry::origin);
            if (origin.isPresent()) {
                // Taken out of a mailbox: back there, where store-level scanning judges it on arrival.
                store.take(id, mail -> release.backToMailboxForAScan(mail, origin.get())).ifPresent(entry -> {
                    LOGGER.info("Held mail {} rescanned ({}), back to {}'s {}", id.asString(), scan.get().verdict(), origin.get().owner(),
                        LogText.of(origin.get().mailbox()));
                    QuarantineEvents.record(security, RETURNED, entry, entry.unreleasedRecipients(), Map.of("status",
                        scan.get().verdict().status().name(), "scanMode", scan.get().mode().asString(), "origin", "mailbox",
                        "owner", origin.get().owner(), "mailbox", origin.get().mailbox()));
                });
                return true;
            }
            String processor = configuration.rescan().processor();
            store.take(id, mail -> enqueue(mail, scan.get(), processor)).ifPresent(entry -> {
                LOGGER.info("Held mail {} rescanned ({}), back to processor {}", id.asString(), scan.get().verdict(), processor);
                Map<String, String> details = new HashMap<>(Map.of("status", scan.get().verdict().status().name(),
                    "scanMode", scan.get().mode().asString(), "processor", processor));
                QuarantineEvents.record(security, RETURNED, entry, entry.unreleasedRecipients(), details);
            });
            return true;
        } catch (RuntimeException e) {
            LOGGER.warn("Held mail {} not rescanned: {}", id.asString(), e.getMessage());
            return false;
        }
    }

    /**
     * An admin's release of held mail: it is scanned now, and only with a verdict released to the chosen
     * recipients (all remaining when empty) into {@code quarantine.releaseProcessor}, through every check
     * as new mail, the verdict taken as the scan. The rescan is recorded in the entry.
     *
     * @throws QuarantineException CONFLICT when the mail still gets no verdict (release it unscanned, with a reason)
     */
    public QuarantineEntry releaseAfterRescan(QuarantineId id, Optional<List<String>> recipients, String releasedBy) {
        QuarantineEntry entry = store.entry(id).orElseThrow(() -> new QuarantineException(QuarantineException.Problem.NOT_FOUND,
            "no quarantine entry " + id.asString()));
        if (!entry.reason().isHeld()) {
            throw new IllegalArgumentException("quarantine entry " + id.asString() + " is not held mail");
        }
        MessageScan scan = store.withMail(id, mail -> MessageScan.of(scanners.clamd(), mail))
            .orElseThrow(() -> new QuarantineException(QuarantineException.Problem.NOT_FOUND, "no quarantine entry " + id.asString()));
        if (!scan.hasVerdict()) {
            throw new QuarantineException(QuarantineException.Problem.CONFLICT, "held mail " + id.asString() + " still cannot be scanned ("
                + scan.verdict().reason().orElse("no verdict") + "); release it unscanned with {\"unscanned\": true, \"reason\": \"...\"}");
        }
        String verdict = scan.verdict().status().name().toLowerCase(Locale.ROOT);
        store.recordRescan(id, new Rescan(clock.instant(), verdict, scan.verdict().names(), scan.verdict().engine()));
        if (entry.origin().isPresent()) {
            // Taken out of a mailbox: back there unstamped, judged on arrival as any new message (taken out again if found).
            MailboxOrigin origin = entry.origin().get();
            QuarantineEntry released = store.release(id, recipients, releasedBy, Optional.empty(),
                mail -> release.backToMailboxForAScan(mail, origin));
            List<String> to = released.releases().get(released.releases().size() - 1).recipients();
            QuarantineEvents.record(security, QuarantineEvents.RELEASED, released, to, Map.of("releasedBy", releasedBy, "rescan", verdict,
                "origin", "mailbox", "owner", origin.owner(), "mailbox", origin.mailbox()));
            return released;
        }
        String processor = configuration.quarantine().releaseProcessor();
        QuarantineEntry released = store.release(id, recipients, releasedBy, Optional.empty(), mail -> {
            mail.removeAttribute(QuarantineStore.RELEASED); // every check of the pipeline, as new mail
            enqueue(mail, scan, processor);
        });
        List<String> to = released.releases().get(released.releases().size() - 1).recipients();
        QuarantineEvents.record(security, QuarantineEvents.RELEASED, released, to,
            Map.of("releasedBy", releasedBy, "processor", processor, "rescan", verdict));
        return released;
    }

    private void enqueue(Mail mail, MessageScan scan, String processor) {
        scan.recordForReuse(mail, STAGE);
        // Its hold is over: InOutbreak=attachments, which held it during an outbreak, lets it go on with this verdict.
        mail.setAttribute(new org.apache.mailet.Attribute(dev.bulwark.matchers.InOutbreak.RESCANNED, org.apache.mailet.AttributeValue.of(STAGE)));
        // Its verdicts are applied afresh: the policy that held it (actions.encrypted hold...) is asked again.
        dev.bulwark.mailets.ApplyPolicy.forget(mail);
        mail.setState(processor);
        try {
            queues.createQueue(MailQueueFactory.SPOOL).enQueue(mail);
        } catch (MailQueue.MailQueueException e) {
            throw new IllegalStateException("the spool queue refused held mail " + mail.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Mail in the plain repository (rescan.repository) goes back to rescan.processor as it is, to be scanned there. */
    private boolean reprocessFallback() {
        try {
            MailRepositoryPath path = MailRepositoryPath.from(configuration.rescan().repository());
            Task.Result result = reprocessing.reprocessAll(path,
                    new ReprocessingService.Configuration(MailQueueFactory.SPOOL, Optional.of(configuration.rescan().processor()),
                        Optional.empty(), true, Limit.unlimited()),
                    key -> LOGGER.info("Rescanning held mail {} from {}", key.asString(), path.asString()))
                .block();
            if (result == Task.Result.PARTIAL) {
                LOGGER.warn("Some held mail in {} could not be sent back for a rescan; it stays held", path.asString());
                return false;
            }
            return true;
        } catch (RuntimeException e) {
            // The next round tries again; held mail stays where it is.
            LOGGER.warn("Rescan of held mail in {} failed: {}", configuration.rescan().repository(), e.getMessage());
            return false;
        }
    }

    private static QuarantineFilter filter(QuarantineReason reason) {
        return new QuarantineFilter(Optional.of(reason), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), false);
    }

    @PreDestroy
    public void stop() {
        executor.shutdownNow();
    }
}
