package dev.bulwark.extension.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import javax.mail.Flags;

import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventDeadLetters;
import org.apache.james.events.Group;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.security.SecurityEventSink;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class MailboxScannerTest {
    private static final MailboxPath INBOX = MailboxPath.forUser(Username.of("alice@bulwark.test"), "INBOX");
    private final PendingRecords deadLetters = new PendingRecords();

    @Test
    void anArrivalSubmittedAfterTheScannerStoppedIsKeptForALaterScanNotDropped() {
        MailboxScanner scanner = scanner();
        scanner.stop();

        scanner.submit(added(11, 12));

        // One pending record per message, in the listener's group, which PendingMailboxScans takes up again.
        assertThat(deadLetters.events(MailboxScanListener.GROUP)).hasSize(2).allSatisfy(event -> {
            assertThat(event).isInstanceOf(MailboxEvents.Added.class);
            assertThat(((MailboxEvents.Added) event).getMailboxPath()).isEqualTo(INBOX);
        });
        assertThat(deadLetters.events(MailboxScanListener.GROUP).stream().flatMap(event -> ((MailboxEvents.Added) event).getUids().stream())
            .map(MessageUid::asLong)).containsExactlyInAnyOrder(11L, 12L);
    }

    private MailboxScanner scanner() {
        PropertiesConfiguration file = new PropertiesConfiguration();
        file.addProperty("clamd.endpoints", "127.0.0.1:3310");
        file.addProperty("spamd.endpoints", "127.0.0.1:783");
        BulwarkConfiguration configuration = BulwarkConfiguration.from(file, Map.of());
        // The mailboxes fail the test if touched: a stopped scanner keeps arrivals, it does not scan them on the caller's thread.
        MailboxManager untouchable = (MailboxManager) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MailboxManager.class},
            (self, method, args) -> {
                throw new UnsupportedOperationException("mailboxes touched: " + method.getName());
            });
        SecurityEventSink noEvents = event -> {
            throw new UnsupportedOperationException("event recorded: " + event);
        };
        ScanStamp stamp = new ScanStamp("a scan stamp key of 32 bytes or more, for tests".getBytes(StandardCharsets.US_ASCII));
        // No scanners and no quarantine: nothing on this path may scan or take out.
        return new MailboxScanner(untouchable, null, stamp, null, deadLetters, noEvents, configuration, new RecordingMetricFactory());
    }

    private static MailboxEvents.Added added(long... uids) {
        MailboxId mailbox = new TestId("mailbox-1");
        TreeMap<MessageUid, MessageMetaData> added = new TreeMap<>();
        for (long value : uids) {
            MessageUid uid = MessageUid.of(value);
            TestId messageId = new TestId("message-" + value);
            added.put(uid, new MessageMetaData(uid, ModSeq.of(1), new Flags(), 100, new Date(), Optional.empty(), messageId,
                ThreadId.fromBaseMessageId(messageId)));
        }
        return new MailboxEvents.Added(MailboxSession.SessionId.of(1), INBOX.getUser(), INBOX, mailbox, added, Event.EventId.random(), false);
    }

    private record TestId(String value) implements MailboxId, MessageId {
        @Override
        public String serialize() {
            return value;
        }

        @Override
        public boolean isSerializable() {
            return true;
        }
    }

    /** James's event dead letters, in memory, as much as the scanner uses. */
    private static final class PendingRecords implements EventDeadLetters {
        private final Map<InsertionId, Map.Entry<Group, Event>> records = new ConcurrentHashMap<>();

        List<Event> events(Group group) {
            return records.values().stream().filter(record -> record.getKey().equals(group)).map(Map.Entry::getValue).toList();
        }

        @Override
        public Mono<InsertionId> store(Group group, Event event) {
            InsertionId id = InsertionId.random();
            records.put(id, Map.entry(group, event));
            return Mono.just(id);
        }

        @Override
        public Mono<Void> remove(Group group, InsertionId id) {
            return Mono.fromRunnable(() -> records.remove(id));
        }

        @Override
        public Mono<Void> remove(Group group) {
            return Mono.fromRunnable(() -> records.values().removeIf(record -> record.getKey().equals(group)));
        }

        @Override
        public Mono<Event> failedEvent(Group group, InsertionId id) {
            return Mono.justOrEmpty(records.get(id)).filter(record -> record.getKey().equals(group)).map(Map.Entry::getValue);
        }

        @Override
        public Flux<InsertionId> failedIds(Group group) {
            return Flux.fromIterable(records.entrySet()).filter(entry -> entry.getValue().getKey().equals(group)).map(Map.Entry::getKey);
        }

        @Override
        public Flux<Group> groupsWithFailedEvents() {
            return Flux.fromIterable(records.values()).map(Map.Entry::getKey).distinct();
        }

        @Override
        public Mono<Boolean> containEvents() {
            return Mono.just(!records.isEmpty());
        }
    }
}
