package dev.bulwark.extension.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamLearner;
import dev.bulwark.security.SecurityEvent;

class SpamLearningTest {
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private SpamLearning learning;
    private final java.util.concurrent.atomic.AtomicLong refusedCount = new java.util.concurrent.atomic.AtomicLong();
    private final org.apache.james.metrics.api.Metric refused = new org.apache.james.metrics.api.Metric() {
        @Override
        public void increment() {
            refusedCount.incrementAndGet();
        }

        @Override
        public void decrement() {
            refusedCount.decrementAndGet();
        }

        @Override
        public void add(int value) {
            refusedCount.addAndGet(value);
        }

        @Override
        public void remove(int value) {
            refusedCount.addAndGet(-value);
        }

        @Override
        public long getCount() {
            return refusedCount.get();
        }
    };

    @AfterEach
    void stop() {
        release.countDown();
        if (learning != null) {
            learning.stop();
        }
    }

    /** An engine that answers LEARNED once per message text, then ALREADY_LEARNED; optionally waits to be let go. */
    private final class FakeEngine implements SpamLearner {
        private final Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final boolean blocks;

        FakeEngine(boolean blocks) {
            this.blocks = blocks;
        }

        @Override
        public String engine() {
            return "fake";
        }

        @Override
        public LearnOutcome learn(MessageContent content, String user, LearnAs as) throws IOException {
            if (blocks) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException("interrupted");
                }
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            content.writeTo(out);
            return known.add(user + as + out) ? LearnOutcome.LEARNED : LearnOutcome.ALREADY_LEARNED;
        }
    }

    /** A clock the test moves on: a day passes without waiting for it. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-02T10:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private SpamLearning learning(int queueSize, int perMinute, SpamLearner... engines) {
        return learning(queueSize, perMinute, 1_000_000, Clock.systemUTC(), engines);
    }

    private SpamLearning learning(int queueSize, int perMinute, int perDay, Clock clock, SpamLearner... engines) {
        learning = new SpamLearning(new BulwarkConfiguration.Learning(true, List.of("Junk"), queueSize, 1000, perMinute, perDay,
            Duration.ZERO, Duration.ofHours(1)), Set.of(engines), events::add, refused, new NoopGaugeRegistry(), clock);
        return learning;
    }

    private static Lesson lesson(String user, String text) {
        return lesson(user, user, text);
    }

    /** A spam lesson for {@code owner}'s junk, given by {@code actor} (the same user, or one acting on a shared mailbox). */
    private static Lesson lesson(String owner, String actor, String text) {
        return new Lesson(owner, actor, SpamLearner.LearnAs.SPAM, "junk", OptionalLong.of(text.length()), Optional.empty(),
            Map.of("mailbox", "Junk"), maxSize -> new Lesson.Message(text.getBytes(StandardCharsets.US_ASCII), Optional.of("<" + text + "@test>")));
    }

    private List<SecurityEvent> of(String kind) {
        return events.stream().filter(event -> event.kind().equals(kind)).toList();
    }

    @Test
    void aLessonIsLearnedThenAlreadyLearned() {
        SpamLearning learning = learning(10, 100, new FakeEngine(false));
        learning.offer(List.of(lesson("bob", "offer")));
        learning.offer(List.of(lesson("bob", "offer")));
        await().atMost(Duration.ofSeconds(5)).until(() -> of(SpamLearning.LEARNED).size() == 2);
        assertThat(of(SpamLearning.LEARNED)).extracting(event -> event.details().get("alreadyLearned")).containsExactly("false", "true");
        assertThat(of(SpamLearning.LEARNED).get(0).details()).containsEntry("user", "bob").containsEntry("as", "spam")
            .containsEntry("engine", "fake").containsEntry("mailbox", "Junk");
        assertThat(of(SpamLearning.LEARNED).get(0).messageId()).contains("<offer@test>");
    }

    @Test
    void aFullQueueRefusesAtOnceAndReportsTheCountInOneEvent() {
        SpamLearning learning = learning(5, 10_000, new FakeEngine(true));
        long start = System.nanoTime();
        int queued = learning.offer(IntStream.range(0, 500).mapToObj(i -> lesson("flooder", "m" + i)).toList());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("offering never waits for an engine").isLessThan(Duration.ofSeconds(2));
        assertThat(queued).isBetween(5, 6); // the queue, and the one the thread took
        List<SecurityEvent> failed = of(SpamLearning.FAILED);
        assertThat(failed).singleElement().satisfies(event -> assertThat(event.details())
            .containsEntry("count", Integer.toString(500 - queued)).containsEntry("user", "flooder").containsEntry("engine", "fake")
            .hasEntrySatisfying("reason", reason -> assertThat(reason).contains("learning queue full")));
        assertThat(refusedCount.get()).isEqualTo(500 - queued);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> of(SpamLearning.LEARNED).size() == queued);
    }

    @Test
    void lessonsBulwarkLooksForItselfTakeHalfTheQueueAtMostAndAreRefusedSilently() {
        SpamLearning learning = learning(10, 10_000, new FakeEngine(true));
        int queued = 0;
        while (learning.offerIfRoom(lesson("reader", "r" + queued))) {
            queued++;
        }
        assertThat(queued).as("one given to the thread, five waiting: half of the queue stays free").isEqualTo(6);
        assertThat(events).isEmpty();
        assertThat(learning.offer(List.of(lesson("mover", "m")))).as("a user's own move still fits").isEqualTo(1);
    }

    @Test
    void aUserOverTheRateIsRefusedOthersAreNot() {
        SpamLearning learning = learning(1000, 3, new FakeEngine(false));
        learning.offer(IntStream.range(0, 5).mapToObj(i -> lesson("eager", "e" + i)).toList());
        learning.offer(List.of(lesson("calm", "c")));
        await().atMost(Duration.ofSeconds(5)).until(() -> of(SpamLearning.LEARNED).size() == 4);
        assertThat(of(SpamLearning.FAILED)).singleElement().satisfies(event -> assertThat(event.details())
            .containsEntry("count", "2").containsEntry("user", "eager")
            .hasEntrySatisfying("reason", reason -> assertThat(reason).contains("learning.perUserPerMinute")));
    }

    @Test
    void theRateIsChargedToTheUserWhoActedNotToTheMailboxOwner() {
        SpamLearning learning = learning(1000, 3, new FakeEngine(false));
        // Mallory moves five messages into the junk of a shared mailbox owned by "team": her minute, not team's.
        learning.offer(IntStream.range(0, 5).mapToObj(i -> lesson("team", "mallory", "t" + i)).toList());
        assertThat(learning.offer(List.of(lesson("team", "team", "own")))).as("the owner's own budget is untouched").isEqualTo(1);
        assertThat(learning.offer(List.of(lesson("carol", "mallory", "c")))).as("mallory's is spent, whoever's mailbox").isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> of(SpamLearning.LEARNED).size() == 4);
        assertThat(of(SpamLearning.FAILED)).hasSize(2).allSatisfy(event -> assertThat(event.details()).containsEntry("actor", "mallory")
            .hasEntrySatisfying("reason", reason -> assertThat(reason).contains("learning.perUserPerMinute")));
        assertThat(of(SpamLearning.FAILED).get(0).details()).containsEntry("user", "team").containsEntry("count", "2");
        assertThat(of(SpamLearning.FAILED).get(1).details()).containsEntry("user", "carol").containsEntry("count", "1");
        assertThat(of(SpamLearning.LEARNED)).extracting(event -> event.details().get("actor")).containsOnly("mallory", "team");
    }

    @Test
    void aUserOverTheDailyCapIsRefusedUntilTheDayIsOver() {
        MovableClock clock = new MovableClock();
        SpamLearning learning = learning(1000, 1000, 3, clock, new FakeEngine(false));
        assertThat(learning.offer(IntStream.range(0, 4).mapToObj(i -> lesson("dora", "d" + i)).toList())).isEqualTo(3);
        clock.advance(Duration.ofMinutes(5));
        assertThat(learning.offer(List.of(lesson("dora", "later")))).as("a new minute, the same day").isZero();
        assertThat(learning.offerIfRoom(lesson("dora", "read"))).as("read-and-kept ham counts against the cap too").isFalse();
        assertThat(learning.offer(List.of(lesson("eve", "e")))).as("another user's day").isEqualTo(1);
        clock.advance(Duration.ofDays(1));
        assertThat(learning.offer(List.of(lesson("dora", "tomorrow")))).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> of(SpamLearning.LEARNED).size() == 5);
        assertThat(of(SpamLearning.FAILED)).hasSize(2).allSatisfy(event -> assertThat(event.details()).containsEntry("user", "dora")
            .containsEntry("count", "1").containsEntry("reason", "over learning.perUserPerDay (3 lessons a day for one user)"));
        assertThat(refusedCount.get()).isEqualTo(2);
    }

    @Test
    void aMessageOverTheSizeCapIsRefusedWithItsMessageId() {
        SpamLearning learning = learning(10, 100, new FakeEngine(false));
        Lesson big = new Lesson("bob", "bob", SpamLearner.LearnAs.HAM, "release", OptionalLong.of(5000), Optional.of("<big@test>"), Map.of(),
            maxSize -> { throw new AssertionError("not read"); });
        learning.offer(List.of(big));
        assertThat(of(SpamLearning.FAILED)).singleElement().satisfies(event -> {
            assertThat(event.messageId()).contains("<big@test>");
            assertThat(event.details()).containsEntry("as", "ham").containsEntry("count", "1");
            assertThat(event.details().get("reason")).contains("learning.maxMessageSize");
        });
    }

    @Test
    void anEngineThatFailsIsAFailedEventNamingItWhileTheOtherLearns() {
        SpamLearner broken = new SpamLearner() {
            @Override
            public String engine() {
                return "broken";
            }

            @Override
            public LearnOutcome learn(MessageContent content, String user, LearnAs as) throws IOException {
                throw new IOException("no broken could be told");
            }
        };
        SpamLearning learning = learning(10, 100, new FakeEngine(false), broken);
        learning.offer(List.of(lesson("bob", "x")));
        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(of(SpamLearning.LEARNED)).singleElement().satisfies(event -> assertThat(event.details()).containsEntry("engine", "fake"));
        assertThat(of(SpamLearning.FAILED)).singleElement().satisfies(event -> assertThat(event.details()).containsEntry("engine", "broken")
            .containsEntry("reason", "no broken could be told"));
    }
}
