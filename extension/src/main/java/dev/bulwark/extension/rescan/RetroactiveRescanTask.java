package dev.bulwark.extension.rescan;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.task.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.mailbox.MailboxScanTask;
import dev.bulwark.extension.mailbox.MailboxScanner;
import dev.bulwark.extension.quarantine.QuarantineRelease;
import dev.bulwark.mailets.MessageScan;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.quarantine.Rescan;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.security.LogText;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.StoreException;

/**
 * The retroactive rescan after a signature update, as a James task (listed and cancellable in
 * webadmin's {@code /tasks}): held mail (scan-failed and unscannable) is scanned and what gets a verdict
 * goes back through the pipeline (what is now clean is delivered); quarantined mail that was only
 * suspicious is scanned again and
 * marked with the new verdict (released when now clean, if the operator enabled that); mail delivered
 * within {@code rescan.deliveredWindow} is scanned and what is now detected is reported, and with
 * {@code rescan.deliveredAction=quarantine} taken out of its mailbox into the quarantine; delivered mail whose stamp
 * records a decision (released by an admin, delivered tagged by a policy) is left unscanned and reported as skipped, as
 * the on-demand mailbox scan does. Every changed verdict is a security event.
 */
public class RetroactiveRescanTask implements Task {
    public static final TaskType TYPE = TaskType.of("bulwark-retroactive-rescan");
    static final String CHANGED = "rescan.changed";
    static final String DELIVERED_DETECTED = "rescan.delivered";
    static final String COMPLETED = "rescan.completed";
    static final String RELEASED_BY = "retroactive rescan";
    /** Held mail (scan-failed, unscannable) is the held-mail rescan's: scanned, and given back to the pipeline with a verdict. */
    private static final List<QuarantineReason> RESCANNED_REASONS = List.of(QuarantineReason.SUSPICIOUS);
    private static final Logger LOGGER = LoggerFactory.getLogger(RetroactiveRescanTask.class);

    /**
     * Progress shown by the task manager. {@code deliveredSkipped}: delivered messages left unscanned for their stamp's decision,
     * the first {@value MailboxScanTask#MAX_LISTED} of them in {@code deliveredSkippedMessages}.
     */
    public record Details(String trigger, long quarantineRescanned, long nowClean, long released, long nowInfected,
                          long deliveredScanned, long deliveredDetected, long deliveredQuarantined, long deliveredSkipped,
                          List<MailboxScanner.Skipped> deliveredSkippedMessages, long errors, Instant timestamp)
        implements TaskExecutionDetails.AdditionalInformation {
        public Details {
            deliveredSkippedMessages = List.copyOf(deliveredSkippedMessages);
        }
    }

    /** What the task needs from the running server. */
    public record Services(QuarantineStore quarantine, QuarantineRelease release, VirusScanner scanner, SecurityStore security,
                           HeldMailRescan heldMail, DeliveredMailRescan delivered, BulwarkConfiguration.Rescan settings) {
    }

    private final Services services;
    private final String trigger;
    private final Clock clock;
    private final AtomicLong rescanned = new AtomicLong();
    private final AtomicLong nowClean = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private final AtomicLong nowInfected = new AtomicLong();
    private final AtomicLong deliveredScanned = new AtomicLong();
    private final AtomicLong deliveredDetected = new AtomicLong();
    private final AtomicLong deliveredQuarantined = new AtomicLong();
    private final AtomicLong deliveredSkipped = new AtomicLong();
    private final List<MailboxScanner.Skipped> deliveredSkippedMessages = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong errors = new AtomicLong();

    /** @param trigger why it runs: the signature update seen, or who asked over webadmin */
    public RetroactiveRescanTask(Services services, String trigger, Clock clock) {
        this.services = services;
        this.trigger = trigger;
        this.clock = clock;
    }

    @Override
    public Result run() throws InterruptedException {
        LOGGER.info("Retroactive rescan started: {}", trigger);
        if (!services.heldMail().rescanNow(true)) {
            errors.incrementAndGet();
        }
        for (QuarantineReason reason : RESCANNED_REASONS) {
            rescanQuarantine(reason);
        }
        Duration window = services.settings().deliveredWindow();
        if (!window.isZero()) {
            try {
                DeliveredMailRescan.Outcome outcome = services.delivered().rescanSince(clock.instant().minus(window), services.scanner(),
                    services.settings().deliveredAction(), new DeliveredMailRescan.Report() {
                        @Override
                        public void detected(DeliveredMailRescan.Detection detection) {
                            reportDelivered(detection);
                        }

                        @Override
                        public void skipped(MailboxScanner.Skipped skipped) {
                            deliveredSkipped.incrementAndGet();
                            if (deliveredSkippedMessages.size() < MailboxScanTask.MAX_LISTED) {
                                deliveredSkippedMessages.add(skipped);
                            }
                        }
                    });
                deliveredScanned.addAndGet(outcome.scanned());
                errors.addAndGet(outcome.errors());
            } catch (RuntimeException e) {
                LOGGER.warn("Rescan of delivered mail failed: {}", e.getMessage());
                errors.incrementAndGet();
            }
        }
        Details details = current();
        record(SecurityEvent.of(clock.instant(), COMPLETED, Optional.empty(), Optional.empty(), List.of(), Map.of(
            "trigger", trigger, "quarantineRescanned", Long.toString(details.quarantineRescanned()),
            "nowClean", Long.toString(details.nowClean()), "released", Long.toString(details.released()),
            "nowInfected", Long.toString(details.nowInfected()), "deliveredScanned", Long.toString(details.deliveredScanned()),
            "deliveredDetected", Long.toString(details.deliveredDetected()), "deliveredQuarantined", Long.toString(details.deliveredQuarantined()),
            "deliveredSkipped", Long.toString(details.deliveredSkipped()), "errors", Long.toString(details.errors()))));
        LOGGER.info("Retroactive rescan done: {}", LogText.of(details));
        return details.errors() == 0 ? Result.COMPLETED : Result.PARTIAL;
    }

    private void rescanQuarantine(QuarantineReason reason) throws InterruptedException {
        QuarantineFilter filter = new QuarantineFilter(Optional.of(reason), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), false);
        // One snapshot of the ids: paging while mail is quarantined, released or purged would skip or repeat.
        List<dev.bulwark.quarantine.QuarantineId> ids = services.quarantine().list(filter, 0, Integer.MAX_VALUE).entries().stream()
            .map(QuarantineEntry::id).toList();
        for (dev.bulwark.quarantine.QuarantineId id : ids) {
            if (Thread.interrupted()) {
                throw new InterruptedException("retroactive rescan cancelled");
            }
            // as it is now: released or deleted since the snapshot, or still waiting for someone
            services.quarantine().entry(id).filter(entry -> !entry.unreleasedRecipients().isEmpty()).ifPresent(this::rescan);
        }
    }

    private void rescan(QuarantineEntry entry) {
        try {
            // By parts when it is big, as VirusScan scans.
            Optional<ScanVerdict> scanned = services.quarantine().withMail(entry.id(), mail -> MessageScan.of(services.scanner(), mail).verdict());
            if (scanned.isEmpty()) {
                return; // released or deleted meanwhile
            }
            ScanVerdict verdict = scanned.get();
            if (verdict.status() == ScanVerdict.Status.ERROR || verdict.status() == ScanVerdict.Status.UNSCANNABLE) {
                errors.incrementAndGet();
                LOGGER.info("Quarantine entry {} not rescanned: {}", entry.id(), verdict);
                return;
            }
            rescanned.incrementAndGet();
            String now = verdict.status().name().toLowerCase(Locale.ROOT);
            String before = entry.rescan().map(Rescan::verdict).orElse(entry.reason() == QuarantineReason.SUSPICIOUS ? "suspicious" : "unscanned");
            services.quarantine().recordRescan(entry.id(), new Rescan(clock.instant(), now, verdict.names(), verdict.engine()));
            if (verdict.status() == ScanVerdict.Status.INFECTED) {
                nowInfected.incrementAndGet();
            }
            if (verdict.isClean()) {
                nowClean.incrementAndGet();
            }
            if (!now.equals(before)) {
                Map<String, String> details = new HashMap<>(Map.of("quarantineId", entry.id().asString(), "reason", entry.reason().asString(),
                    "before", before, "now", now, "trigger", trigger));
                if (!verdict.names().isEmpty()) {
                    details.put("virusNames", String.join(",", verdict.names()));
                }
                verdict.engine().ifPresent(engine -> details.put("engine", engine));
                record(SecurityEvent.of(clock.instant(), CHANGED, entry.messageId(), entry.sender(), entry.recipients(), details));
            }
            if (verdict.isClean() && services.settings().releaseClean()) {
                // Back through the whole pipeline, not past the scanners as an admin's release goes: the mail
                // was quarantined before the attachment and spam checks ran.
                services.release().releaseForAllChecks(entry.id(), RELEASED_BY);
                released.incrementAndGet();
            }
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            LOGGER.warn("Quarantine entry {} not rescanned: {}", entry.id(), e.getMessage());
        }
    }

    private void reportDelivered(DeliveredMailRescan.Detection detection) {
        deliveredDetected.incrementAndGet();
        detection.quarantineId().ifPresent(id -> deliveredQuarantined.incrementAndGet());
        LOGGER.warn("Delivered mail now detected: {} in {}'s {} ({}){}", detection.verdict().names(), detection.recipient(),
            LogText.of(detection.mailbox()), LogText.of(detection.messageId().orElse("no Message-ID")),
            detection.quarantineId().map(id -> ", taken out into quarantine entry " + id).orElse(""));
        Map<String, String> details = new HashMap<>(Map.of("recipient", detection.recipient(), "mailbox", detection.mailbox(),
            "now", detection.verdict().status().name().toLowerCase(Locale.ROOT), "virusNames", String.join(",", detection.verdict().names()),
            "trigger", trigger));
        detection.subject().ifPresent(subject -> details.put("subject", subject));
        detection.quarantineId().ifPresent(id -> details.put("quarantineId", id));
        details.put("action", detection.quarantineId().isPresent() ? "quarantined" : "reported");
        record(SecurityEvent.of(clock.instant(), DELIVERED_DETECTED, detection.messageId(), Optional.empty(), List.of(detection.recipient()),
            details));
    }

    private void record(SecurityEvent event) {
        try {
            services.security().events().record(event);
        } catch (StoreException e) {
            LOGGER.error("Security event {} not stored: {}", event.kind(), e.getMessage());
        }
    }

    private Details current() {
        return new Details(trigger, rescanned.get(), nowClean.get(), released.get(), nowInfected.get(), deliveredScanned.get(),
            deliveredDetected.get(), deliveredQuarantined.get(), deliveredSkipped.get(), deliveredSkippedMessages, errors.get(), clock.instant());
    }

    public String trigger() {
        return trigger;
    }

    @Override
    public TaskType type() {
        return TYPE;
    }

    @Override
    public Optional<TaskExecutionDetails.AdditionalInformation> details() {
        return Optional.of(current());
    }
}
