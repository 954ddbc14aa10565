package dev.bulwark.extension.learning;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.Role;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.user.api.UsersRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;

import reactor.core.publisher.Flux;

/**
 * Optional ham from messages a user has read and kept ({@code learning.hamAfter}, off by default): every
 * {@code learning.hamScanInterval}, messages seen ({@code \Seen}), arrived at least {@code hamAfter} ago, in a
 * mailbox that is not junk, trash, sent, drafts or outbox, are learned as ham once, and marked
 * {@value #LEARNED} so that they are not learned again. Off by default: a user who reads a spam and leaves it
 * where it is would teach it as ham. It takes at most half of the learning queue, leaving the rest to the users'
 * own moves, and counts against each user's rate; what does not fit waits for the next round. Started by the
 * learning listener, so it runs where listeners.xml registers it (on a cluster: on each such node; set
 * {@code learning.hamAfter} on one node only).
 */
@Singleton
public class ReadAndKeptHam implements AutoCloseable {
    /** The IMAP keyword on a message learned as ham because it was read and kept (a client may see it). */
    public static final String LEARNED = "$BulwarkHamLearned";
    private static final Logger LOGGER = LoggerFactory.getLogger(ReadAndKeptHam.class);
    private static final Set<Role> NOT_RECEIVED_MAIL = Set.of(Role.SPAM, Role.TRASH, Role.SENT, Role.DRAFTS, Role.OUTBOX);

    private final BulwarkConfiguration.Learning settings;
    private final SpamLearning learning;
    private final MailboxLessons lessons;
    private final MailboxManager mailboxes;
    private final UsersRepository users;
    private final JunkMailboxes junk;
    private final Clock clock = Clock.systemUTC();
    private ScheduledExecutorService executor;

    @Inject
    public ReadAndKeptHam(BulwarkConfiguration configuration, SpamLearning learning, MailboxLessons lessons, MailboxManager mailboxes,
                          UsersRepository users) {
        this.settings = configuration.learning();
        this.learning = learning;
        this.lessons = lessons;
        this.mailboxes = mailboxes;
        this.users = users;
        this.junk = learning.junkMailboxes();
    }

    /** Starts the rounds when {@code learning.hamAfter} is set; once. */
    public synchronized void start() {
        if (executor != null || !settings.hamFromReadMessages()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bulwark-read-and-kept-ham");
            thread.setDaemon(true);
            return thread;
        });
        long interval = settings.hamScanInterval().toMillis();
        executor.scheduleWithFixedDelay(this::roundSafely, interval, interval, TimeUnit.MILLISECONDS);
        LOGGER.info("Messages read and kept for {} are learned as ham, looked for every {}", settings.hamAfter(), settings.hamScanInterval());
    }

    private void roundSafely() {
        try {
            int queued = round();
            if (queued > 0) {
                LOGGER.info("{} message(s) read and kept queued to be learned as ham", queued);
            }
        } catch (RuntimeException | Error e) {
            LOGGER.warn("Looking for messages read and kept failed; next round in {}: {}", settings.hamScanInterval(), e.toString());
        }
    }

    /** One round over every user's mailboxes; the number of lessons queued. */
    int round() {
        Date arrivedBefore = Date.from(clock.instant().minus(settings.hamAfter()));
        int queued = 0;
        Iterator<Username> everyone;
        try {
            everyone = users.list();
        } catch (Exception e) {
            LOGGER.warn("Users could not be listed for read-and-kept ham: {}", e.toString());
            return 0;
        }
        while (everyone.hasNext()) {
            Optional<Integer> forUser = forUser(everyone.next(), arrivedBefore);
            if (forUser.isEmpty()) {
                return queued; // the queue has no room left for this round
            }
            queued += forUser.get();
        }
        return queued;
    }

    /** Lessons queued for the user's mailboxes; empty when the queue took no more. */
    private Optional<Integer> forUser(Username user, Date arrivedBefore) {
        MailboxSession session = mailboxes.createSystemSession(user);
        int queued = 0;
        try {
            for (MailboxPath path : mailboxes.list(session)) {
                if (!receivesMail(path.getName())) {
                    continue;
                }
                MessageManager mailbox = mailboxes.getMailbox(path, session);
                List<MessageUid> uids = Flux.from(mailbox.search(SearchQuery.of(SearchQuery.flagIsSet(Flags.Flag.SEEN),
                    SearchQuery.flagIsUnSet(LEARNED), SearchQuery.internalDateBefore(arrivedBefore, SearchQuery.DateResolution.Second)),
                    session)).collectList().block();
                for (MessageUid uid : uids == null ? List.<MessageUid>of() : uids) {
                    long size = size(mailbox, uid, session);
                    if (size > settings.maxMessageSize()) {
                        continue; // never taught: looked at again each round, as cheap as the search
                    }
                    if (!learning.hasRoomForOwnLessons()) {
                        return Optional.empty();
                    }
                    if (!learning.offerIfRoom(lessons.readAndKept(user, mailbox.getId(), path.getName(), uid, size))) {
                        return Optional.of(queued); // this user's rate is used up: the others' turn
                    }
                    mailbox.setFlags(new Flags(LEARNED), MessageManager.FlagsUpdateMode.ADD, MessageRange.one(uid), session);
                    queued++;
                }
            }
            return Optional.of(queued);
        } catch (MailboxException | RuntimeException e) {
            LOGGER.warn("Mailboxes of {} not looked through for read-and-kept ham: {}", user.asString(), e.toString());
            return Optional.of(queued);
        } finally {
            mailboxes.endProcessingRequest(session);
        }
    }

    private static long size(MessageManager mailbox, MessageUid uid, MailboxSession session) throws MailboxException {
        MessageResultIterator results = mailbox.getMessages(MessageRange.one(uid), FetchGroup.MINIMAL, session);
        return results.hasNext() ? results.next().getSize() : 0;
    }

    private boolean receivesMail(String mailboxName) {
        if (junk.isJunk(mailboxName) || junk.isTrash(mailboxName)) {
            return false;
        }
        int separator = Math.max(mailboxName.lastIndexOf('.'), mailboxName.lastIndexOf('/'));
        Optional<Role> role = Role.from(separator < 0 ? mailboxName : mailboxName.substring(separator + 1));
        return role.filter(NOT_RECEIVED_MAIL::contains).isEmpty();
    }

    @Override
    @PreDestroy
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
