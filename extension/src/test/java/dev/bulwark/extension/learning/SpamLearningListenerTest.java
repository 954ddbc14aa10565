package dev.bulwark.extension.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.james.events.EventListener;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.apache.james.user.api.UsersRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamLearner;
import dev.bulwark.security.SecurityEvent;

/**
 * The learning listener on James's mailbox events, with the real {@link MailboxLessons} and {@link SpamLearning}
 * over {@link FakeMailboxes}: only messages carrying the pipeline's scan stamp for their owner are taught, and each
 * lesson is charged to the user whose command it was.
 */
class SpamLearningListenerTest {
    private static final String ALICE = "alice@bulwark.test";

    private final ScanStamp stamp = new ScanStamp("a scan stamp key of 32 bytes or more, for tests".getBytes(StandardCharsets.US_ASCII));
    private final FakeMailboxes mailboxes = new FakeMailboxes();
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> taught = new CopyOnWriteArrayList<>();
    private final AtomicLong refused = new AtomicLong();
    private SpamLearning learning;

    /** An engine that notes what it was taught: {@code user as subject}. */
    private final SpamLearner engine = new SpamLearner() {
        @Override
        public String engine() {
            return "recording";
        }

        @Override
        public LearnOutcome learn(MessageContent content, String user, LearnAs as) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            content.writeTo(out);
            String subject = out.toString(StandardCharsets.ISO_8859_1).lines().filter(line -> line.startsWith("Subject: ")).findFirst()
                .orElse("Subject: none").substring("Subject: ".length());
            taught.add(user + " " + SpamLearning.name(as) + " " + subject);
            return LearnOutcome.LEARNED;
        }
    };

    @AfterEach
    void stop() {
        if (learning != null) {
            learning.stop();
        }
    }

    private SpamLearningListener listener(int perMinute) {
        BulwarkConfiguration.Learning settings = new BulwarkConfiguration.Learning(true, List.of("Junk"), 100, 100_000, perMinute);
        learning = new SpamLearning(settings, Set.of(engine), events::add, new CountingMetric(refused), new NoopGaugeRegistry(), Clock.systemUTC());
        MailboxLessons lessons = new MailboxLessons(mailboxes.mailboxManager(), mailboxes.messageIdManager(), stamp);
        PropertiesConfiguration file = new PropertiesConfiguration();
        file.addProperty("clamd.endpoints", "127.0.0.1:3310");
        file.addProperty("spamd.endpoints", "127.0.0.1:783");
        UsersRepository noUsers = (UsersRepository) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {UsersRepository.class},
            (self, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
            });
        ReadAndKeptHam readAndKept = new ReadAndKeptHam(BulwarkConfiguration.from(file, Map.of()), learning, lessons, mailboxes.mailboxManager(),
            noUsers);
        return new SpamLearningListener(learning, lessons, mailboxes.mailboxManager(), EventListener.ExecutionMode.SYNCHRONOUS, readAndKept);
    }

    private static String message(String to, String subject) {
        return "From: someone@outside.test\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.replace(' ', '.')
            + "@outside.test>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nCheap watches, order now.\r\n";
    }

    /** The message as the pipeline delivers it to {@code owner}: with its scan stamp. */
    private String delivered(String owner, String subject) throws IOException {
        String message = message(owner, subject);
        String value = stamp.issue(ScanStamp.Kind.SCANNED, owner, ScanStamp.digest(new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1))))
            .orElseThrow();
        return ScanStamp.HEADER + ": " + value + "\r\n" + message;
    }

    private List<SecurityEvent> of(String kind) {
        return events.stream().filter(event -> event.kind().equals(kind)).toList();
    }

    @Test
    void anUnstampedAppendIntoJunkIsNotLearnedAndIsReported() {
        SpamLearningListener listener = listener(100);
        MailboxId junk = mailboxes.mailbox(ALICE, "Junk");
        MessageUid uid = mailboxes.put(junk, mailboxes.newMessageId(), message(ALICE, "my own words"));

        listener.event(mailboxes.added(ALICE, junk, uid));

        await().atMost(Duration.ofSeconds(5)).until(() -> !of(SpamLearning.FAILED).isEmpty());
        assertThat(of(SpamLearning.FAILED)).singleElement().satisfies(event -> {
            assertThat(event.messageId()).contains("<my.own.words@outside.test>");
            assertThat(event.recipients()).containsExactly(ALICE);
            assertThat(event.details()).containsEntry("reason", Lesson.NOT_DELIVERED).containsEntry("user", ALICE)
                .containsEntry("actor", ALICE).containsEntry("as", "spam").containsEntry("trigger", "junk").containsEntry("mailbox", "Junk")
                .containsEntry("engine", "recording");
        });
        assertThat(taught).isEmpty();
        assertThat(of(SpamLearning.LEARNED)).isEmpty();
        assertThat(refused.get()).isEqualTo(1);
    }

    @Test
    void aStampedMessageMovedIntoJunkIsLearnedAndMovedBackOutIsHam() throws IOException {
        SpamLearningListener listener = listener(100);
        MailboxId inbox = mailboxes.mailbox(ALICE, "INBOX");
        MailboxId junk = mailboxes.mailbox(ALICE, "Junk");
        MessageId messageId = mailboxes.newMessageId();
        mailboxes.put(inbox, messageId, delivered(ALICE, "missed spam"));

        // A MOVE is an Added in the target beside the move event; only the Added into junk teaches spam.
        var move = mailboxes.moved(ALICE, messageId, inbox, junk);
        listener.event(mailboxes.added(ALICE, junk, junkUid(junk)));
        listener.event(move);
        await().atMost(Duration.ofSeconds(5)).until(() -> taught.size() == 1);
        assertThat(taught).containsExactly(ALICE + " spam missed spam");

        listener.event(mailboxes.moved(ALICE, messageId, junk, inbox));
        await().atMost(Duration.ofSeconds(5)).until(() -> taught.size() == 2);
        assertThat(taught).containsExactly(ALICE + " spam missed spam", ALICE + " ham missed spam");
        assertThat(of(SpamLearning.LEARNED)).extracting(event -> event.details().get("trigger")).containsExactly("junk", "not-junk");
        assertThat(of(SpamLearning.LEARNED)).allSatisfy(event -> assertThat(event.messageId()).contains("<missed.spam@outside.test>"));
        assertThat(of(SpamLearning.FAILED)).isEmpty();
    }

    @Test
    void anUnstampedMessageMovedOutOfJunkIsNoHam() {
        SpamLearningListener listener = listener(100);
        MailboxId junk = mailboxes.mailbox(ALICE, "Junk");
        MailboxId inbox = mailboxes.mailbox(ALICE, "INBOX");
        MessageId messageId = mailboxes.newMessageId();
        mailboxes.put(junk, messageId, message(ALICE, "appended then rescued"));

        listener.event(mailboxes.moved(ALICE, messageId, junk, inbox));

        await().atMost(Duration.ofSeconds(5)).until(() -> !of(SpamLearning.FAILED).isEmpty());
        assertThat(of(SpamLearning.FAILED)).singleElement().satisfies(event -> assertThat(event.details())
            .containsEntry("reason", Lesson.NOT_DELIVERED).containsEntry("as", "ham").containsEntry("trigger", "not-junk"));
        assertThat(taught).isEmpty();
    }

    @Test
    void aStampIssuedForAnotherOwnerTeachesNothing() throws IOException {
        SpamLearningListener listener = listener(100);
        MailboxId junk = mailboxes.mailbox(ALICE, "Junk");
        // Bob's delivered copy, stamp and all, APPENDed into Alice's junk: the stamp vouches for Bob's mailbox only.
        MessageUid uid = mailboxes.put(junk, mailboxes.newMessageId(), delivered("bob@bulwark.test", "borrowed stamp"));

        listener.event(mailboxes.added(ALICE, junk, uid));

        await().atMost(Duration.ofSeconds(5)).until(() -> !of(SpamLearning.FAILED).isEmpty());
        assertThat(of(SpamLearning.FAILED)).singleElement()
            .satisfies(event -> assertThat(event.details()).containsEntry("reason", Lesson.NOT_DELIVERED));
        assertThat(taught).isEmpty();
    }

    @Test
    void lessonsInASharedJunkAreChargedToTheUserWhoMovedThem() throws IOException {
        String team = "team@bulwark.test";
        String mallory = "mallory@bulwark.test";
        SpamLearningListener listener = listener(1);
        MailboxId teamJunk = mailboxes.mailbox(team, "Junk");
        MessageUid first = mailboxes.put(teamJunk, mailboxes.newMessageId(), delivered(team, "first"));
        MessageUid second = mailboxes.put(teamJunk, mailboxes.newMessageId(), delivered(team, "second"));
        MessageUid own = mailboxes.put(teamJunk, mailboxes.newMessageId(), delivered(team, "own"));

        listener.event(mailboxes.added(mallory, teamJunk, first));
        listener.event(mailboxes.added(mallory, teamJunk, second));
        listener.event(mailboxes.added(team, teamJunk, own));

        await().atMost(Duration.ofSeconds(5)).until(() -> taught.size() == 2);
        assertThat(taught).containsExactlyInAnyOrder(team + " spam first", team + " spam own");
        assertThat(of(SpamLearning.FAILED)).singleElement().satisfies(event -> assertThat(event.details()).containsEntry("actor", mallory)
            .containsEntry("user", team).hasEntrySatisfying("reason", reason -> assertThat(reason).contains("learning.perUserPerMinute")));
        assertThat(of(SpamLearning.LEARNED)).extracting(event -> event.details().get("actor")).containsExactlyInAnyOrder(mallory, team);
    }

    private MessageUid junkUid(MailboxId junk) {
        return mailboxes.uids(junk).get(0);
    }

    /** A Metric that counts into a number the test reads. */
    private record CountingMetric(AtomicLong count) implements org.apache.james.metrics.api.Metric {
        @Override
        public void increment() {
            count.incrementAndGet();
        }

        @Override
        public void decrement() {
            count.decrementAndGet();
        }

        @Override
        public void add(int value) {
            count.addAndGet(value);
        }

        @Override
        public void remove(int value) {
            count.addAndGet(-value);
        }

        @Override
        public long getCount() {
            return count.get();
        }
    }
}
