package dev.bulwark.extension.learning;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MessageMoveEvent;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.Headers;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageMoves;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.apache.james.mailbox.model.ThreadId;

/**
 * Mailboxes in memory, as much of James's {@link MailboxManager} and {@link MessageIdManager} as the learning
 * listener and {@link MailboxLessons} use (the mailbox memory app's test resources are not on this module's
 * classpath): mailboxes by id, messages by UID and by message id, and the events James would send for an
 * APPEND, a move into a mailbox and a move out of one. Any other call fails the test.
 */
final class FakeMailboxes {
    record Id(String value) implements MailboxId, MessageId {
        @Override
        public String serialize() {
            return value;
        }

        @Override
        public boolean isSerializable() {
            return true;
        }
    }

    private record Stored(MailboxId mailbox, MessageUid uid, MessageId messageId, byte[] bytes) {
    }

    private final Map<MailboxId, MailboxPath> paths = new ConcurrentHashMap<>();
    private final Map<MailboxId, Map<MessageUid, Stored>> messages = new ConcurrentHashMap<>();
    private final Map<MessageId, Stored> byMessageId = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    MailboxId mailbox(String owner, String name) {
        Id id = new Id("mailbox-" + ids.incrementAndGet());
        paths.put(id, MailboxPath.forUser(Username.of(owner), name));
        messages.put(id, new ConcurrentHashMap<>());
        return id;
    }

    /** Puts a message into a mailbox, as an APPEND, a delivery or a move would; the event is the caller's to make. */
    MessageUid put(MailboxId mailbox, MessageId messageId, String message) {
        MessageUid uid = MessageUid.of(ids.incrementAndGet());
        Stored stored = new Stored(mailbox, uid, messageId, message.getBytes(StandardCharsets.ISO_8859_1));
        messages.get(mailbox).put(uid, stored);
        byMessageId.put(messageId, stored);
        return uid;
    }

    List<MessageUid> uids(MailboxId mailbox) {
        return messages.get(mailbox).keySet().stream().sorted().toList();
    }

    MessageId newMessageId() {
        return new Id("message-" + ids.incrementAndGet());
    }

    /** The event of messages added to a mailbox by {@code actor}'s command (not a delivery). */
    MailboxEvents.Added added(String actor, MailboxId mailbox, MessageUid uid) {
        Stored stored = messages.get(mailbox).get(uid);
        MessageMetaData metaData = new MessageMetaData(uid, ModSeq.of(1), new Flags(), stored.bytes().length, new Date(), Optional.empty(),
            stored.messageId(), ThreadId.fromBaseMessageId(stored.messageId()));
        TreeMap<MessageUid, MessageMetaData> added = new TreeMap<>();
        added.put(uid, metaData);
        return new MailboxEvents.Added(MailboxSession.SessionId.of(1), Username.of(actor), paths.get(mailbox), mailbox, added,
            Event.EventId.random(), false);
    }

    /** {@code actor} moves a message from one mailbox to another: the move event James sends beside the Added. */
    MessageMoveEvent moved(String actor, MessageId messageId, MailboxId from, MailboxId to) {
        Stored stored = byMessageId.get(messageId);
        messages.get(from).remove(stored.uid());
        Stored moved = new Stored(to, stored.uid(), messageId, stored.bytes());
        messages.get(to).put(stored.uid(), moved);
        byMessageId.put(messageId, moved);
        return MessageMoveEvent.builder().user(Username.of(actor)).messageId(messageId)
            .messageMoves(MessageMoves.builder().previousMailboxIds(from).targetMailboxIds(to).build()).eventId(Event.EventId.random()).build();
    }

    MailboxManager mailboxManager() {
        return proxy(MailboxManager.class, (method, args) -> switch (method) {
            case "createSystemSession" -> new MailboxSession(MailboxSession.SessionId.of(ids.incrementAndGet()), (Username) args[0],
                Optional.empty(), List.of(), '.', MailboxSession.SessionType.System);
            case "endProcessingRequest" -> null;
            case "getMailbox" -> messageManager((MailboxId) args[0]);
            default -> throw new UnsupportedOperationException(method);
        });
    }

    MessageIdManager messageIdManager() {
        return proxy(MessageIdManager.class, (method, args) -> switch (method) {
            case "getMessage" -> Optional.ofNullable(byMessageId.get((MessageId) args[0])).map(stored -> List.of(result(stored)))
                .orElse(List.of());
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private MessageManager messageManager(MailboxId mailbox) {
        return proxy(MessageManager.class, (method, args) -> switch (method) {
            case "getId" -> mailbox;
            case "getMailboxPath" -> paths.get(mailbox);
            case "getMessages" -> {
                Stored stored = messages.get(mailbox).get(((MessageRange) args[0]).getUidFrom());
                Iterator<MessageResult> results = stored == null ? List.<MessageResult>of().iterator() : List.of(result(stored)).iterator();
                yield new MessageResultIterator() {
                    @Override
                    public boolean hasNext() {
                        return results.hasNext();
                    }

                    @Override
                    public MessageResult next() {
                        return results.next();
                    }

                    @Override
                    public org.apache.james.mailbox.exception.MailboxException getException() {
                        return null;
                    }
                };
            }
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private static MessageResult result(Stored stored) {
        return proxy(MessageResult.class, (method, args) -> switch (method) {
            case "getSize" -> (long) stored.bytes().length;
            case "getUid" -> stored.uid();
            case "getMessageId" -> stored.messageId();
            case "getMailboxId" -> stored.mailbox();
            case "getFullContent" -> content(stored.bytes());
            case "getHeaders" -> headers(stored.bytes());
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private static Content content(byte[] bytes) {
        return new Content() {
            @Override
            public InputStream getInputStream() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public long size() {
                return bytes.length;
            }
        };
    }

    /** The header block's unfolded lines, enough for the Message-ID. */
    private static Headers headers(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String block = text.split("\r?\n\r?\n", 2)[0];
        List<Header> headers = block.lines().filter(line -> line.indexOf(':') > 0)
            .map(line -> new Header(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1).trim())).toList();
        Content content = content(block.getBytes(StandardCharsets.ISO_8859_1));
        return new Headers() {
            @Override
            public Iterator<Header> headers() {
                return headers.iterator();
            }

            @Override
            public InputStream getInputStream() throws java.io.IOException {
                return content.getInputStream();
            }

            @Override
            public long size() throws org.apache.james.mailbox.exception.MailboxException {
                return content.size();
            }
        };
    }

    @FunctionalInterface
    private interface Answer {
        Object answer(String method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(FakeMailboxes.class.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> self == args[0];
                    case "hashCode" -> System.identityHashCode(self);
                    default -> type.getSimpleName() + " fake";
                };
            }
            return answer.answer(method.getName(), args);
        }));
    }
}
