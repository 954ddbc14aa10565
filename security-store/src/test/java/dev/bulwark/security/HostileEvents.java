package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.awaitility.Awaitility;

/**
 * What one hostile mail does to the event log, the same on SQLite and PostgreSQL: values longer than
 * their columns (a Message-ID of any length, a long sender, NUL characters PostgreSQL refuses in text)
 * are cut and stored, and a row the database refuses for any other reason is lost alone, never with the
 * rest of its batch.
 */
final class HostileEvents {
    private HostileEvents() {
    }

    /** A batch through the async writer, as mail processing records it, with one mail's oversized values in the middle. */
    static void oversizedValuesAreCutAndTheBatchIsStored(SecurityStore store) {
        String longId = "<" + "x".repeat(5000) + "\0@outside.test>";
        String longSender = "a".repeat(400) + "@outside.test";
        List<SecurityEvent> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(i == 25
                ? SecurityEvent.of(Instant.now(), "verdict.infected", Optional.of(longId), Optional.of(longSender), List.of("bob@example.com"),
                    Map.of("virusNames", "Eicar", "subject", "s".repeat(20_000)))
                : SecurityEvent.of(Instant.now(), "verdict.clean", Optional.of("<hostile-batch-" + i + "@x>"), Optional.of("a@example.com"),
                    List.of("b@example.com"), Map.of()));
        }
        try (AsyncEventWriter writer = new AsyncEventWriter(store.events(), 1000)) {
            batch.forEach(writer::record);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.written() + writer.failed() == 50);
            assertThat(writer.failed()).isZero();
        }
        List<SecurityEvent> stored = store.events().find(new EventQuery(Optional.of("verdict.infected"), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), 10));
        assertThat(stored).singleElement().satisfies(event -> {
            assertThat(event.messageId()).get().asString().hasSize(SecurityEvents.MESSAGE_ID_MAX).startsWith("<xxx").endsWith("...")
                .doesNotContain("\0");
            assertThat(event.sender()).get().asString().hasSize(SecurityEvents.SENDER_MAX);
            assertThat(event.details().get("subject")).hasSize(SecurityEvents.DETAIL_MAX);
        });
        assertThat(store.events().find(EventQuery.latest(1000))).filteredOn(e -> e.messageId().orElse("").startsWith("<hostile-batch-")).hasSize(49);
    }

    /** A row the database refuses (here a trigger refuses it) is reported; the others of its batch are stored. */
    static void aRefusedRowTakesNoOtherWithIt(SecurityStore store, Connection admin, String createTrigger, String dropTrigger) throws SQLException {
        try (Statement statement = admin.createStatement()) {
            statement.execute(createTrigger);
        }
        try {
            List<SecurityEvent> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                batch.add(SecurityEvent.of(Instant.now(), "verdict.clean", Optional.of(i == 2 ? "<poison@x>" : "<survivor-" + i + "@x>"),
                    Optional.empty(), List.of(), Map.of()));
            }
            List<String> refused = store.events().recordAll(batch);
            assertThat(refused).singleElement().asString().startsWith("verdict.clean <poison@x>: ").contains("poisoned row");
            assertThat(store.events().find(EventQuery.latest(1000))).filteredOn(e -> e.messageId().orElse("").startsWith("<survivor-")).hasSize(4);
        } finally {
            try (Statement statement = admin.createStatement()) {
                statement.execute(dropTrigger);
            }
        }
    }
}
