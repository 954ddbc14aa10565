package dev.bulwark.extension.learning;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamLearner;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/**
 * Gives users' lessons to every configured spam engine, off the caller's thread: the caller (James's event
 * thread, a webadmin request) only offers them, and never waits. What is offered is bounded four ways before
 * any message is read: the size cap ({@code learning.maxMessageSize}), the rate ({@code learning.perUserPerMinute})
 * and the daily cap ({@code learning.perUserPerDay}) of the user who acted ({@link Lesson#actor()}, not the
 * mailbox's owner: a user acting on shared mailboxes spends their own budget), and the queue
 * ({@code learning.queueSize}, one thread giving the lessons: the engines check mail first). A lesson whose message,
 * once read, is refused (gone, too large, not delivered by the pipeline) is refused too. Each lesson refused is
 * counted ({@code bulwark_learning_refused}) and reported: one {@value #FAILED} event per user, class and reason of
 * each offer, with the {@code count}, so that a user moving thousands of messages does not flood the event log either. Each lesson given is a {@value #LEARNED} event per
 * engine ({@code alreadyLearned} when the engine knew it already), or a {@value #FAILED} event naming the engine.
 */
@Singleton
public class SpamLearning {
    public static final String LEARNED = "spam.learned";
    public static final String FAILED = "spam.learn-failed";
    private static final Logger LOGGER = LoggerFactory.getLogger(SpamLearning.class);

    private final BulwarkConfiguration.Learning settings;
    private final List<SpamLearner> learners;
    private final SecurityEventSink events;
    private final LessonRateLimiter rate;
    private final LessonRateLimiter daily;
    private final ThreadPoolExecutor executor;
    private final Metric refused;

    @Inject
    public SpamLearning(BulwarkConfiguration configuration, Set<SpamLearner> learners, SecurityEventSink events, MetricFactory metrics,
                        GaugeRegistry gauges) {
        this(configuration.learning(), learners, events, metrics.generate("bulwark_learning_refused"), gauges, Clock.systemUTC());
    }

    /** @param refused counts each lesson refused before an engine saw it */
    SpamLearning(BulwarkConfiguration.Learning settings, Set<SpamLearner> learners, SecurityEventSink events, Metric refused,
                 GaugeRegistry gauges, Clock clock) {
        this.settings = settings;
        this.learners = learners.stream().sorted(java.util.Comparator.comparing(SpamLearner::engine)).toList();
        this.events = events;
        this.rate = new LessonRateLimiter(settings.perUserPerMinute(), Duration.ofMinutes(1), clock);
        this.daily = new LessonRateLimiter(settings.perUserPerDay(), Duration.ofDays(1), clock);
        this.refused = refused;
        this.executor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(settings.queueSize()), runnable -> {
            Thread thread = new Thread(runnable, "bulwark-spam-learning");
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
        gauges.register("bulwark_learning_queued", () -> executor.getQueue().size());
        if (settings.enabled() && this.learners.isEmpty()) {
            LOGGER.warn("Learning from users is on, but no spam engine can learn: moves into and out of junk teach nothing");
        }
    }

    /** Whether lessons are taken at all: learning on, and some engine to teach. */
    public boolean enabled() {
        return settings.enabled() && !learners.isEmpty();
    }

    public JunkMailboxes junkMailboxes() {
        return new JunkMailboxes(settings.junkMailboxes());
    }

    /**
     * Queues the lessons; never waits. Those refused (size, rate, full queue) are reported at once.
     *
     * @return how many were queued
     */
    public int offer(List<Lesson> lessons) {
        if (!enabled()) {
            return 0;
        }
        Map<Refusal, List<Lesson>> refusals = new LinkedHashMap<>();
        int queued = 0;
        for (Lesson lesson : lessons) {
            Optional<String> reason = admit(lesson);
            if (reason.isEmpty()) {
                queued++;
            } else {
                refusals.computeIfAbsent(new Refusal(lesson, reason.get()), key -> new ArrayList<>()).add(lesson);
            }
        }
        refusals.forEach(this::reportRefused);
        return queued;
    }

    /**
     * Queues one lesson if it fits now, silently otherwise: for lessons Bulwark looks for itself (read and kept
     * messages), which are simply looked for again next time. Never takes the last half of the queue, which
     * stays for the users' own moves.
     */
    public boolean offerIfRoom(Lesson lesson) {
        if (!enabled() || !hasRoomForOwnLessons() || (lesson.size().isPresent() && lesson.size().getAsLong() > settings.maxMessageSize())) {
            return false;
        }
        if (charge(lesson.actor()).isPresent()) {
            return false;
        }
        try {
            executor.execute(new Task(lesson));
            return true;
        } catch (RejectedExecutionException e) {
            giveBack(lesson.actor());
            return false;
        }
    }

    /** Whether more than half of the queue is free: room for the lessons Bulwark looks for itself. */
    public boolean hasRoomForOwnLessons() {
        return executor.getQueue().remainingCapacity() > settings.queueSize() / 2;
    }

    private record Refusal(String user, String actor, SpamLearner.LearnAs as, String trigger, String reason) {
        Refusal(Lesson lesson, String reason) {
            this(lesson.user(), lesson.actor(), lesson.as(), lesson.trigger(), reason);
        }
    }

    /** Takes one lesson from the actor's minute and day; the reason when either is used up (then neither is taken). */
    private Optional<String> charge(String actor) {
        if (!rate.tryTake(actor)) {
            return Optional.of("over learning.perUserPerMinute (" + settings.perUserPerMinute() + " lessons a minute for one user)");
        }
        if (!daily.tryTake(actor)) {
            rate.giveBack(actor);
            return Optional.of("over learning.perUserPerDay (" + settings.perUserPerDay() + " lessons a day for one user)");
        }
        return Optional.empty();
    }

    private void giveBack(String actor) {
        rate.giveBack(actor);
        daily.giveBack(actor);
    }

    private Optional<String> admit(Lesson lesson) {
        if (lesson.size().isPresent() && lesson.size().getAsLong() > settings.maxMessageSize()) {
            return Optional.of(Lesson.tooLarge(settings.maxMessageSize()).getMessage());
        }
        Optional<String> over = charge(lesson.actor());
        if (over.isPresent()) {
            return over;
        }
        try {
            executor.execute(new Task(lesson));
            return Optional.empty();
        } catch (RejectedExecutionException e) {
            giveBack(lesson.actor());
            return Optional.of(executor.isShutdown() ? "James is stopping" : "learning queue full (learning.queueSize " + settings.queueSize() + ")");
        }
    }

    private void reportRefused(Refusal refusal, List<Lesson> lessons) {
        refused.add(lessons.size());
        Lesson first = lessons.get(0);
        Map<String, String> details = new HashMap<>(lessons.size() == 1 ? first.context() : Map.of());
        details.put("count", Integer.toString(lessons.size()));
        LOGGER.warn("{} {} lesson(s) of {} by {} not given: {}", lessons.size(), name(refusal.as()), refusal.user(), refusal.actor(),
            refusal.reason());
        record(FAILED, lessons.size() == 1 ? first.messageId() : Optional.empty(), first, engines(), with(details, "reason", refusal.reason()));
    }

    /** A queued lesson: a class, not a lambda, so that what is still queued at stop can be reported. */
    private final class Task implements Runnable {
        private final Lesson lesson;

        Task(Lesson lesson) {
            this.lesson = lesson;
        }

        @Override
        public void run() {
            give(lesson);
        }
    }

    /** One lesson, on the learning thread: the message read once, then told to each engine. */
    private void give(Lesson lesson) {
        Lesson.Message message;
        try {
            message = lesson.source().load(settings.maxMessageSize());
        } catch (Lesson.Refused e) {
            refused.increment();
            LOGGER.debug("{} lesson of {} by {} not given: {}", name(lesson.as()), lesson.user(), lesson.actor(), e.getMessage());
            record(FAILED, e.messageId().or(lesson::messageId), lesson, engines(), with(lesson.context(), "reason", e.getMessage()));
            return;
        } catch (Exception e) {
            LOGGER.warn("Message for a {} lesson of {} could not be read: {}", name(lesson.as()), lesson.user(), e.toString());
            record(FAILED, lesson.messageId(), lesson, engines(), with(lesson.context(), "reason", "could not read the message: " + e.getMessage()));
            return;
        }
        Optional<String> messageId = message.messageId().or(lesson::messageId);
        MessageContent content = MessageContent.of(message.bytes());
        for (SpamLearner learner : learners) {
            try {
                SpamLearner.LearnOutcome outcome = learner.learn(content, lesson.user(), lesson.as());
                record(LEARNED, messageId, lesson, learner.engine(),
                    with(lesson.context(), "alreadyLearned", Boolean.toString(outcome == SpamLearner.LearnOutcome.ALREADY_LEARNED)));
            } catch (Exception e) {
                LOGGER.warn("{} could not learn a message as {} for {}: {}", learner.engine(), name(lesson.as()), lesson.user(), e.toString());
                record(FAILED, messageId, lesson, learner.engine(), with(lesson.context(), "reason", String.valueOf(e.getMessage())));
            }
        }
    }

    private void record(String kind, Optional<String> messageId, Lesson lesson, String engine, Map<String, String> details) {
        Map<String, String> all = new HashMap<>(details);
        all.put("user", lesson.user());
        all.put("actor", lesson.actor());
        all.put("as", name(lesson.as()));
        all.put("engine", engine);
        all.put("trigger", lesson.trigger());
        events.record(SecurityEvent.of(Instant.now(), kind, messageId, Optional.empty(), List.of(lesson.user()), all));
    }

    private static Map<String, String> with(Map<String, String> details, String key, String value) {
        Map<String, String> all = new HashMap<>(details);
        all.put(key, value);
        return all;
    }

    private String engines() {
        return learners.stream().map(SpamLearner::engine).collect(Collectors.joining(","));
    }

    static String name(SpamLearner.LearnAs as) {
        return as.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Lessons still queued when James stops are not given: reported as refused, as a full queue is. */
    @PreDestroy
    public void stop() {
        Map<Refusal, List<Lesson>> dropped = new LinkedHashMap<>();
        for (Runnable queued : executor.shutdownNow()) {
            if (queued instanceof Task task) {
                dropped.computeIfAbsent(new Refusal(task.lesson, "James is stopping"), key -> new ArrayList<>()).add(task.lesson);
            }
        }
        try {
            dropped.forEach(this::reportRefused);
        } catch (RuntimeException e) {
            LOGGER.warn("James stopping: {} queued spam lesson(s) not given, not recorded: {}",
                dropped.values().stream().mapToInt(List::size).sum(), e.toString());
        }
    }
}
