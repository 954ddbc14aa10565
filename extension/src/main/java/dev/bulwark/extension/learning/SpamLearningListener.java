package dev.bulwark.extension.learning;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.events.GenericGroup;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MessageMoveEvent;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users teach the spam engines by moving mail: a group listener of James's mailbox events, registered from
 * listeners.xml ({@code <listener><class>dev.bulwark.extension.learning.SpamLearningListener</class><async>true</async></listener>}),
 * so that on the distributed James each event is handled once per cluster.
 *
 * <ul>
 *   <li>Messages added to a junk mailbox by a user (IMAP MOVE or COPY, JMAP) are learned as spam for the mailbox's
 *   owner. Deliveries are not: a sieve rule filing mail flagged by the filter into junk would teach the filter its
 *   own verdicts.</li>
 *   <li>Messages moved out of a junk mailbox into any other mailbox but the trash are learned as ham. A copy out
 *   of junk leaves the message in junk and teaches nothing.</li>
 *   <li>Nothing else: unlike James's own SpamAssassin listener, an APPEND or a delivery to the INBOX teaches no
 *   ham (that would teach the filter the very spam it missed).</li>
 * </ul>
 *
 * Only mail the pipeline delivered to the owner is taught, whatever the move ({@link MailboxLessons}: its scan
 * stamp): a message a user APPENDed or imported is their own text, and is refused when its turn comes. Each lesson
 * is charged to the user whose command it was (the event's user), not to the owner of a shared mailbox.
 * The listener only decides and offers the lessons to {@link SpamLearning}; messages are read and engines told
 * on its thread, so no IMAP or JMAP command waits for them.
 */
public class SpamLearningListener implements EventListener.GroupEventListener {
    /** A named group (not a Group subclass): James reads group names back with a class loader that does not see extension jars. */
    public static final Group GROUP = new GenericGroup("bulwark-spam-learning");
    private static final Logger LOGGER = LoggerFactory.getLogger(SpamLearningListener.class);

    private final SpamLearning learning;
    private final MailboxLessons lessons;
    private final MailboxManager mailboxes;
    private final JunkMailboxes junk;
    private final ExecutionMode mode;

    /** @param readAndKept started here: the optional ham from messages read and kept runs where this listener is registered */
    @Inject
    public SpamLearningListener(SpamLearning learning, MailboxLessons lessons, MailboxManager mailboxes, ExecutionMode mode,
                                ReadAndKeptHam readAndKept) {
        this.learning = learning;
        this.lessons = lessons;
        this.mailboxes = mailboxes;
        this.junk = learning.junkMailboxes();
        this.mode = mode;
        readAndKept.start();
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    @Override
    public ExecutionMode getExecutionMode() {
        return mode;
    }

    @Override
    public boolean isHandling(Event event) {
        return learning.enabled() && (event instanceof MailboxEvents.Added || event instanceof MessageMoveEvent);
    }

    @Override
    public void event(Event event) {
        if (!learning.enabled()) {
            return;
        }
        if (event instanceof MailboxEvents.Added added) {
            if (!added.isDelivery() && junk.isJunk(added.getMailboxPath().getName())) {
                learning.offer(lessons.spam(added));
            }
        } else if (event instanceof MessageMoveEvent move) {
            outOfJunk(move);
        }
    }

    /** A move from a junk mailbox to mailboxes none of which is junk or the trash: ham for the target's owner, by the mover. */
    private void outOfJunk(MessageMoveEvent move) {
        if (move.isNoop() || move.getMessageMoves().removedMailboxIds().isEmpty() || move.getMessageMoves().getTargetMailboxIds().isEmpty()) {
            return;
        }
        MailboxSession session = mailboxes.createSystemSession(move.getUsername());
        try {
            boolean fromJunk = false;
            for (MailboxId removed : move.getMessageMoves().removedMailboxIds()) {
                fromJunk |= path(removed, session).map(path -> junk.isJunk(path.getName())).orElse(false);
            }
            if (!fromJunk) {
                return;
            }
            List<MailboxPath> targets = new ArrayList<>();
            for (MailboxId target : move.getMessageMoves().getTargetMailboxIds()) {
                path(target, session).ifPresent(targets::add);
            }
            if (targets.isEmpty() || targets.stream().anyMatch(path -> junk.isJunk(path.getName()) || junk.isTrash(path.getName()))) {
                return;
            }
            Username owner = targets.get(0).getUser();
            learning.offer(lessons.ham(move.getMessageIds(), owner, targets.get(0).getName(), move.getUsername()));
        } finally {
            mailboxes.endProcessingRequest(session);
        }
    }

    private Optional<MailboxPath> path(MailboxId id, MailboxSession session) {
        try {
            return Optional.of(mailboxes.getMailbox(id, session).getMailboxPath());
        } catch (MailboxException | RuntimeException e) {
            LOGGER.debug("Mailbox {} of a move is gone or not readable: {}", id.serialize(), e.toString());
            return Optional.empty();
        }
    }
}
