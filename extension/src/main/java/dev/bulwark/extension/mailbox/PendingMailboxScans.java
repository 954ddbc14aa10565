package dev.bulwark.extension.mailbox;

import java.util.List;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.events.Event;
import org.apache.james.events.EventDeadLetters;
import org.apache.james.mailbox.events.MailboxEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The later pass for messages no scanner could judge on arrival: their events wait in James's event dead
 * letters under {@link MailboxScanListener}'s group (webadmin lists them under {@code /events/deadLetter}), and
 * each held-mail rescan ({@code rescan.interval}, while clamd answers) scans them again. A message judged
 * now is handled as on arrival; one still unjudged goes back to the dead letters.
 */
@Singleton
public class PendingMailboxScans {
    private static final Logger LOGGER = LoggerFactory.getLogger(PendingMailboxScans.class);

    private final EventDeadLetters deadLetters;
    private final MailboxScanner scanner;

    @Inject
    public PendingMailboxScans(EventDeadLetters deadLetters, MailboxScanner scanner) {
        this.deadLetters = deadLetters;
        this.scanner = scanner;
    }

    /** Scans every pending message again; one run at a time. Returns how many events were taken up. */
    public synchronized int rescanNow() {
        List<EventDeadLetters.InsertionId> pending = deadLetters.failedIds(MailboxScanListener.GROUP).collectList().block();
        if (pending == null || pending.isEmpty()) {
            return 0;
        }
        LOGGER.info("Scanning again {} mailbox arrivals no scanner could judge before", pending.size());
        int done = 0;
        for (EventDeadLetters.InsertionId id : pending) {
            try {
                Event event = deadLetters.failedEvent(MailboxScanListener.GROUP, id).block();
                if (event instanceof MailboxEvents.Added added) {
                    // Scanned first, removed after: a stop in between scans it once more, never not at all.
                    scanner.scan(added);
                }
                deadLetters.remove(MailboxScanListener.GROUP, id).block();
                done++;
            } catch (RuntimeException e) {
                LOGGER.warn("Pending mailbox scan {} not taken up: {}", id.asString(), e.toString());
            }
        }
        return done;
    }
}
