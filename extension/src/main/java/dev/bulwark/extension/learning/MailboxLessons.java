package dev.bulwark.extension.learning;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import javax.inject.Inject;
import javax.mail.internet.MimeUtility;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;

import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.scanner.verdict.SpamLearner.LearnAs;

/**
 * Lessons from mailbox events, with the reading of their messages for later: a message added to a junk
 * mailbox is read there by its UID; a message moved out of junk by its James message id, wherever it now is.
 * Only mail the pipeline delivered to the owner is taught: when read, a message must carry a valid scan stamp
 * ({@link ScanStamp}, the one store-level scanning trusts) for the owner, or the lesson is refused
 * ({@value Lesson#NOT_DELIVERED}). Without that, a user could APPEND or import text of their own into junk, or
 * with {@code \Seen} into the INBOX, and teach it to the filter everyone shares.
 */
public class MailboxLessons {
    private final MailboxManager mailboxes;
    private final MessageIdManager messageIds;
    private final ScanStamp stamp;

    @Inject
    public MailboxLessons(MailboxManager mailboxes, MessageIdManager messageIds, ScanStamp stamp) {
        this.mailboxes = mailboxes;
        this.messageIds = messageIds;
        this.stamp = stamp;
    }

    /**
     * Spam lessons for every message an event added to a junk mailbox, for the mailbox's owner, charged to the
     * user whose command added them (the event's user: on a shared mailbox, not the owner).
     */
    public List<Lesson> spam(MailboxEvents.Added added) {
        Username owner = added.getMailboxPath().getUser();
        String actor = added.getUsername().asString();
        String mailbox = added.getMailboxPath().getName();
        List<Lesson> lessons = new ArrayList<>();
        for (MessageUid uid : added.getUids()) {
            long size = added.getMetaData(uid).getSize();
            lessons.add(new Lesson(owner.asString(), actor, LearnAs.SPAM, "junk", OptionalLong.of(size), Optional.empty(),
                Map.of("mailbox", mailbox, "uid", Long.toString(uid.asLong())), maxSize -> byUid(owner, added.getMailboxId(), uid, maxSize)));
        }
        return lessons;
    }

    /** A ham lesson for a message read and kept in a mailbox: the owner's own. */
    public Lesson readAndKept(Username owner, MailboxId mailboxId, String mailbox, MessageUid uid, long size) {
        return new Lesson(owner.asString(), owner.asString(), LearnAs.HAM, "read-and-kept", OptionalLong.of(size), Optional.empty(),
            Map.of("mailbox", mailbox, "uid", Long.toString(uid.asLong())), maxSize -> byUid(owner, mailboxId, uid, maxSize));
    }

    /** Ham lessons for messages moved out of junk into {@code target}, for its owner, charged to {@code actor}. */
    public List<Lesson> ham(Collection<MessageId> moved, Username owner, String target, Username actor) {
        return moved.stream().map(id -> new Lesson(owner.asString(), actor.asString(), LearnAs.HAM, "not-junk", OptionalLong.empty(),
            Optional.empty(), Map.of("mailbox", target), maxSize -> byMessageId(owner, id, maxSize))).toList();
    }

    private Lesson.Message byUid(Username owner, MailboxId mailboxId, MessageUid uid, long maxSize) throws Exception {
        MailboxSession session = mailboxes.createSystemSession(owner);
        try {
            MessageResultIterator results = mailboxes.getMailbox(mailboxId, session).getMessages(MessageRange.one(uid),
                FetchGroup.FULL_CONTENT, session);
            if (!results.hasNext()) {
                throw new Lesson.Refused("the message left its mailbox before it was learned");
            }
            return read(results.next(), owner, maxSize);
        } finally {
            mailboxes.endProcessingRequest(session);
        }
    }

    private Lesson.Message byMessageId(Username owner, MessageId id, long maxSize) throws Exception {
        MailboxSession session = mailboxes.createSystemSession(owner);
        try {
            List<MessageResult> results = messageIds.getMessage(id, FetchGroup.FULL_CONTENT, session);
            if (results.isEmpty()) {
                throw new Lesson.Refused("the message was deleted before it was learned");
            }
            return read(results.get(0), owner, maxSize);
        } finally {
            mailboxes.endProcessingRequest(session);
        }
    }

    private Lesson.Message read(MessageResult message, Username owner, long maxSize) throws Exception {
        if (message.getSize() > maxSize) {
            throw Lesson.tooLarge(maxSize);
        }
        byte[] bytes;
        try (InputStream in = message.getFullContent().getInputStream()) {
            bytes = Lesson.readAtMost(in, maxSize);
        }
        if (!stamp.verifies(owner.asString(), ScanStamp.digest(new ByteArrayInputStream(bytes)))) {
            throw new Lesson.Refused(Lesson.NOT_DELIVERED, messageIdHeader(message));
        }
        return new Lesson.Message(bytes, messageIdHeader(message));
    }

    private static Optional<String> messageIdHeader(MessageResult message) {
        try {
            Iterator<org.apache.james.mailbox.model.Header> headers = message.getHeaders().headers();
            while (headers.hasNext()) {
                org.apache.james.mailbox.model.Header header = headers.next();
                if (header.getName().equalsIgnoreCase("Message-ID")) {
                    return Optional.of(MimeUtility.unfold(header.getValue()).trim());
                }
            }
            return Optional.empty();
        } catch (MailboxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
