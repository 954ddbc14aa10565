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
            Awaitility.await().until(() -> writer.pending() == 0); // the writer took it and waits for the lock

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
}
