package dev.bulwark.extension.quarantine;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineId;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.quarantine.Release;
import dev.bulwark.security.SecurityStore;

/**
 * Releases quarantined mail: a copy addressed to the chosen recipients goes to James's spool queue,
 * entering {@code quarantine.releaseProcessor} marked so that {@code IsReleasedFromQuarantine} lets it
 * skip the scanners it already failed. The release is recorded (who, to whom, when) in the entry.
 */
@Singleton
public class QuarantineRelease {
    private final QuarantineStore store;
    private final MailQueueFactory<? extends MailQueue> queues;
    private final String processor;
    private final SecurityStore security;

    @Inject
    public QuarantineRelease(QuarantineStore store, MailQueueFactory<?> queues, BulwarkConfiguration configuration, SecurityStore security) {
        this.store = store;
        this.queues = queues;
        this.processor = configuration.quarantine().releaseProcessor();
        this.security = security;
    }

    public QuarantineEntry release(QuarantineId id, Optional<List<String>> recipients, String releasedBy) {
        return release(id, recipients, releasedBy, true);
    }

    /**
     * Releases to all remaining recipients without the released mark: the mail goes through every check
     * of {@code quarantine.releaseProcessor} again, as new mail does (the retroactive rescan's release of
     * mail now found clean, which no person looked at).
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
        MailQueue spool = queues.createQueue(MailQueueFactory.SPOOL);
        QuarantineEntry released = store.release(id, recipients, releasedBy, Optional.of(reason), mail -> {
            try {
                dev.bulwark.mailets.VirusScan.noteUnscanned(mail, "released unscanned by " + releasedBy + ": " + reason);
            } catch (javax.mail.MessagingException e) {
                throw new IllegalStateException("cannot mark the released mail: " + e.getMessage(), e);
            }
            enqueue(spool, mail);
        });
        Release release = released.releases().get(released.releases().size() - 1);
        QuarantineEvents.record(security, QuarantineEvents.RELEASED, released, release.recipients(),
            Map.of("releasedBy", release.releasedBy(), "processor", processor, "unscanned", "true", "unscannedReason", reason));
        return released;
    }

    private void enqueue(MailQueue spool, org.apache.mailet.Mail mail) {
        mail.setState(processor);
        try {
            spool.enQueue(mail);
        } catch (MailQueue.MailQueueException e) {
            throw new IllegalStateException("the spool queue refused the released mail: " + e.getMessage(), e);
        }
    }

    private QuarantineEntry release(QuarantineId id, Optional<List<String>> recipients, String releasedBy, boolean skipFailedScanners) {
        MailQueue spool = queues.createQueue(MailQueueFactory.SPOOL);
        QuarantineEntry released = store.release(id, recipients, releasedBy, mail -> {
            if (!skipFailedScanners) {
                mail.removeAttribute(QuarantineStore.RELEASED);
            }
            enqueue(spool, mail);
        });
        Release release = released.releases().get(released.releases().size() - 1);
        QuarantineEvents.record(security, QuarantineEvents.RELEASED, released, release.recipients(),
            Map.of("releasedBy", release.releasedBy(), "processor", processor));
        return released;
    }
}
