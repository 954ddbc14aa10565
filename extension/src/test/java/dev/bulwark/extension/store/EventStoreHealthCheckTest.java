package dev.bulwark.extension.store;

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

import org.apache.james.core.healthcheck.Result;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.security.AsyncEventWriter;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SecurityStoreConfig;

/** The event store's backlog in /healthcheck, with a real SQLite store whose event table goes away and comes back. */
class EventStoreHealthCheckTest {
    @TempDir
    Path dir;

    private static SecurityEvent event(int i) {
        return SecurityEvent.of(Instant.now(), "verdict.clean", Optional.of("<" + i + "@x>"), Optional.empty(), List.of(), Map.of());
    }

    @Test
    void degradedWhileTheStoreRefusesWritesWithTheBacklogThenHealthy() throws Exception {
        String file = dir.resolve("s.db").toString();
        try (SecurityStore store = SecurityStore.open(SecurityStoreConfig.sqlite(file), Clock.systemUTC());
             AsyncEventWriter writer = new AsyncEventWriter(store.events(), 100, AsyncEventWriter.Listener.NONE, Clock.systemUTC());
             Connection admin = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement sql = admin.createStatement()) {
            EventStoreHealthCheck check = new EventStoreHealthCheck(writer, Clock.systemUTC());
            assertThat(check.checkNow().isHealthy()).isTrue();

            sql.execute("ALTER TABLE bulwark_event RENAME TO bulwark_event_away");
            for (int i = 0; i < 10; i++) {
                writer.record(event(i));
            }
            Result failing = Awaitility.await().atMost(Duration.ofSeconds(30)).until(check::checkNow, Result::isDegraded);
            assertThat(failing.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .contains("the store refuses writes since").contains("10 events waiting").contains("bulwark_event"));

            sql.execute("ALTER TABLE bulwark_event_away RENAME TO bulwark_event");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> check.checkNow().isHealthy());
            // Healthy once writes succeed again; the backlog drains behind it.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(writer::written, written -> written == 10);
        }
    }

    @Test
    void degradedForAWhileAfterEventsCouldNotBeQueued() throws Exception {
        String file = dir.resolve("s.db").toString();
        Instant start = Instant.parse("2026-12-01T10:00:00Z");
        try (SecurityStore store = SecurityStore.open(SecurityStoreConfig.sqlite(file), Clock.systemUTC());
             AsyncEventWriter writer = new AsyncEventWriter(store.events(), 1, AsyncEventWriter.Listener.NONE, Clock.fixed(start, java.time.ZoneOffset.UTC));
             Connection locker = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement lock = locker.createStatement()) {
            lock.execute("BEGIN EXCLUSIVE");
            writer.record(event(0));
            Awaitility.await().until(() -> writer.queued() == 0);
            writer.record(event(1));
            writer.record(event(2));

            Result now = new EventStoreHealthCheck(writer, Clock.fixed(start.plusSeconds(60), java.time.ZoneOffset.UTC)).checkNow();
            assertThat(now.isDegraded()).isTrue();
            assertThat(now.getCause()).hasValueSatisfying(cause -> assertThat(cause).contains("1 events not stored since start (queue full, or refused by the database)"));
            // (the locked store may also be refusing writes by now: only the queue-full finding must go after a quiet while)
            assertThat(new EventStoreHealthCheck(writer, Clock.fixed(start.plus(EventStoreHealthCheck.RECENT).plusSeconds(1), java.time.ZoneOffset.UTC))
                .checkNow().getCause().orElse("")).as("after a quiet " + EventStoreHealthCheck.RECENT).doesNotContain("not stored since start");
            lock.execute("COMMIT");
        }
    }
}
