package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The same store on a real PostgreSQL (Debian's), as several James nodes share it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresSecurityStoreTest {
    private PostgresServer postgres;

    @BeforeAll
    void start() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    void stop() {
        postgres.close();
    }

    private SecurityStoreConfig config() {
        return new SecurityStoreConfig(postgres.jdbcUrl(), Optional.of("bulwark"), Optional.of("bulwark"), 4, Duration.ofSeconds(5));
    }

    @Test
    void twoNodesShareListsGroupsAndEvents() throws Exception {
        SecurityStoreTest.MutableClock clock = new SecurityStoreTest.MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
        try (SecurityStore node1 = SecurityStore.open(config(), clock);
             SecurityStore node2 = SecurityStore.open(config(), clock)) {
            assertThat(node2.lists().match(SenderList.BLOCK, "x@pg-evil.test")).isEmpty();
            assertThat(node1.lists().add(SenderList.BLOCK, AddressPattern.parse("pg-evil.test"), "shared")).isTrue();
            assertThat(node1.lists().add(SenderList.BLOCK, AddressPattern.parse("pg-evil.test"), "again")).isFalse();
            node1.groups().add("pg-finance", AddressPattern.parse("bob@example.com"));
            clock.advance(Duration.ofSeconds(5));

            assertThat(node2.lists().match(SenderList.BLOCK, "x@pg-evil.test")).get().extracting(ListEntry::comment).isEqualTo("shared");
            assertThat(node2.groups().contains("pg-finance", "bob@example.com")).isTrue();

            Instant now = Instant.now();
            node1.events().record(SecurityEvent.of(now, "verdict.infected", Optional.of("<pg@x>"), Optional.of("a_b@x.test"),
                List.of("bob@example.com"), Map.of("virusNames", "Eicar")));
            node1.events().recordAll(List.of(SecurityEvent.of(now, "verdict.clean", Optional.of("<pg2@x>"), Optional.empty(), List.of(), Map.of())));
            assertThat(node2.events().find(new EventQuery(Optional.empty(), Optional.of("<pg@x>"), Optional.empty(), Optional.of("bob@example.com"),
                Optional.empty(), Optional.empty(), 10))).singleElement().satisfies(event -> assertThat(event.sender()).contains("a_b@x.test"));
            EventStatistics stats = node2.events().statistics(now.minusSeconds(60), now.plusSeconds(60), Duration.ofMinutes(1));
            assertThat(stats.totals()).containsEntry("verdict.infected", 1L).containsEntry("verdict.clean", 1L);
            assertThat(stats.topViruses()).extracting(EventStatistics.Ranked::name).containsExactly("Eicar");
            assertThat(node2.events().deleteBefore(now.plusSeconds(1))).isEqualTo(2);

            // the scan stamp's key: made by one node, read by the other
            assertThat(node2.secrets().getOrCreate("pg-test-secret", 32)).isEqualTo(node1.secrets().getOrCreate("pg-test-secret", 32));

            node1.lists().remove(SenderList.BLOCK, AddressPattern.parse("pg-evil.test"));
            node1.groups().remove("pg-finance", AddressPattern.parse("bob@example.com"));
        }
    }

    @Test
    void policiesAreVersionedAuditedAndSharedWithinTheCacheTime() {
        // In the future: the other test here purges every event older than now.
        SecurityStoreTest.MutableClock clock = new SecurityStoreTest.MutableClock(Instant.now().plus(Duration.ofDays(3650)));
        try (SecurityStore node1 = SecurityStore.open(config(), clock);
             SecurityStore node2 = SecurityStore.open(config(), clock)) {
            PolicyScenarios.changesApplyEverywhereWithinTheCacheTimeAndAreAudited(node1, node2, clock, "pg-");
        }
    }

    @Test
    void oneHostileMailNeverErasesTheAuditTrail() throws Exception {
        try (SecurityStore store = SecurityStore.open(config(), Clock.systemUTC());
             java.sql.Connection admin = java.sql.DriverManager.getConnection(postgres.jdbcUrl(), "bulwark", "bulwark")) {
            try {
                HostileEvents.oversizedValuesAreCutAndTheBatchIsStored(store);
                HostileEvents.aRefusedRowTakesNoOtherWithIt(store, admin,
                    "CREATE OR REPLACE FUNCTION bulwark_test_poison() RETURNS trigger AS $$ BEGIN"
                        + " IF NEW.message_id = '<poison@x>' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;"
                        + " CREATE TRIGGER bulwark_test_poison BEFORE INSERT ON bulwark_event FOR EACH ROW EXECUTE FUNCTION bulwark_test_poison()",
                    "DROP TRIGGER bulwark_test_poison ON bulwark_event; DROP FUNCTION bulwark_test_poison()");
            } finally {
                // the other test counts the events it deletes: this one leaves none behind
                store.events().deleteBefore(Instant.now().plusSeconds(60));
            }
        }
    }
}
