package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsyncEventWriterTest {
    @TempDir
    Path dir;

    private static SecurityEvent event(int i) {
        return SecurityEvent.of(Instant.now(), "verdict.clean", Optional.of("<" + i + "@x>"), Optional.of("a@example.com"),
            List.of("b@example.com"), Map.of());
    }

    @Test
    void writesEventsInTheBackground() {
        try (SecurityStore store = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("s.db").toString()), Clock.systemUTC());
             AsyncEventWriter writer = new AsyncEventWriter(store.events(), 1000)) {
            for (int i = 0; i < 500; i++) {
                writer.record(event(i));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.written() == 500);
            assertThat(store.events().find(EventQuery.latest(1000))).hasSize(500);
            assertThat(writer.dropped()).isZero();
        }
    }

    /** A database that stops answering (here: locked by another connection) costs dropped events, never a blocked caller. */
    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        String file = dir.resolve("s.db").toString();
        try (SecurityStore store = SecurityStore.open(SecurityStoreConfig.sqlite(file), Clock.systemUTC());
             AsyncEventWriter writer = new AsyncEventWriter(store.events(), 2);
             Connection locker = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement lock = locker.createStatement()) {
            lock.execute("BEGIN EXCLUSIVE");
            writer.record(event(0));
            Awaitility.await().until(() -> writer.queued() == 0); // the writer took it and waits for the lock

            for (int i = 1; i <= 300; i++) {
                writer.record(event(i));
            }

            // The writer holds at most one batch (200) while blocked and the queue 2: the rest is dropped, not waited for.
            assertThat(writer.dropped()).isGreaterThanOrEqualTo(99);
            lock.execute("COMMIT");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.written() + writer.dropped() == 301);
            assertThat(store.events().find(EventQuery.latest(1000))).hasSize((int) writer.written());
        }
    }

    /** A database that goes away: writes fail at once, as with PostgreSQL down. */
    private static final class SwitchableDataSource extends org.sqlite.SQLiteDataSource {
        volatile boolean down;

        SwitchableDataSource(String file) {
            setUrl("jdbc:sqlite:" + file);
        }

        @Override
        public Connection getConnection() throws java.sql.SQLException {
            if (down) {
                throw new java.sql.SQLException("connection refused (the test's database is down)");
            }
            return super.getConnection();
        }
    }

    private static final class CountingListener implements AsyncEventWriter.Listener {
        final java.util.concurrent.atomic.AtomicInteger unstored = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger writeFailures = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void unstored(int count) {
            unstored.addAndGet(count);
        }

        @Override
        public void writeFailed(int batchSize) {
            writeFailures.addAndGet(batchSize);
        }
    }

    /** Database down: every event is in the log at once, waits (visible in the status), and is stored once the database is back. */
    @Test
    void aStoreThatIsDownKeepsTheEventsAndWritesThemWhenItIsBack() throws Exception {
        String file = dir.resolve("s.db").toString();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger eventLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("bulwark.events");
        log.start();
        eventLog.addAppender(log);
        CountingListener listener = new CountingListener();
        SwitchableDataSource database = new SwitchableDataSource(file);
        try (SecurityStore store = SecurityStore.open(SecurityStoreConfig.sqlite(file), Clock.systemUTC());
             AsyncEventWriter writer = new AsyncEventWriter(new SecurityEvents(database, "test-node"), 1000, listener, Clock.systemUTC())) {
            database.down = true;
            for (int i = 0; i < 50; i++) {
                writer.record(event(i));
            }

            assertThat(log.list).as("the audit trail has every event at once").hasSize(50)
                .allSatisfy(line -> assertThat(line.getFormattedMessage()).startsWith("{\"time\":").contains("\"node\":\"test-node\""));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.status().failingSince().isPresent());
            AsyncEventWriter.Status failing = writer.status();
            assertThat(failing.backlog()).isEqualTo(50);
            assertThat(failing.lastFailure()).hasValueSatisfying(reason -> assertThat(reason).contains("connection refused"));
            assertThat(listener.writeFailures.get()).isPositive();
            assertThat(listener.unstored.get()).isZero();

            database.down = false;
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.written() == 50);
            assertThat(store.events().find(EventQuery.latest(1000))).hasSize(50);
            assertThat(writer.status().failingSince()).isEmpty();
            assertThat(writer.status().backlog()).isZero();
            assertThat(log.list).as("logged once, not again when stored").hasSize(50);
        } finally {
            eventLog.detachAppender(log);
        }
    }

    /** Queue full: the event is not stored, but it is logged and counted, never silently dropped. */
    @Test
    void anEventThatCannotBeQueuedIsLoggedAndCounted() throws Exception {
        String file = dir.resolve("s.db").toString();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger eventLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("bulwark.events");
        log.start();
        eventLog.addAppender(log);
        CountingListener listener = new CountingListener();
        SwitchableDataSource database = new SwitchableDataSource(file);
        try (SecurityStore store = SecurityStore.open(SecurityStoreConfig.sqlite(file), Clock.systemUTC());
             AsyncEventWriter writer = new AsyncEventWriter(new SecurityEvents(database, "test-node"), 5, listener, Clock.systemUTC())) {
            database.down = true;
            for (int i = 0; i < 100; i++) {
                writer.record(event(i));
            }

            assertThat(log.list).hasSize(100);
            assertThat(listener.unstored.get()).as("counted: held neither in the queue (5) nor in the batch being written")
                .isEqualTo((int) writer.dropped()).isGreaterThanOrEqualTo(90);
            assertThat(writer.status().unstored()).isEqualTo(writer.dropped());
            assertThat(writer.status().lastUnstored()).isPresent();
            assertThat(writer.dropped() + writer.pending()).isEqualTo(100);
        } finally {
            eventLog.detachAppender(log);
        }
        assertThat(listener.unstored.get()).as("what was waiting at shutdown is counted too").isEqualTo(100);
    }
}
