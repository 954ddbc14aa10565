package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real SQLite file, as James uses it by default. */
class SecurityStoreTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private SecurityStore store;

    @BeforeEach
    void open() {
        store = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("security.db").toString()), clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void recordsAndFindsEventsNewestFirst() {
        SecurityEvent first = store.events().record(SecurityEvent.of(clock.instant(), "verdict.infected", Optional.of("<m1@x>"),
            Optional.of("Mallory@Outside.test"), List.of("Bob@example.com", "carol@example.com"), Map.of("virus", "Eicar")));
        clock.advance(Duration.ofSeconds(1));
        SecurityEvent second = store.events().record(SecurityEvent.of(clock.instant(), "quarantine.released", Optional.of("<m1@x>"),
            Optional.empty(), List.of("bob@example.com"), Map.of("releasedBy", "admin")));

        assertThat(first.id()).isPositive();
        assertThat(store.events().find(EventQuery.latest(10))).containsExactly(second, first);
        assertThat(store.events().find(new EventQuery(Optional.of("verdict.infected"), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), 10))).singleElement()
            .satisfies(event -> {
                assertThat(event.sender()).contains("mallory@outside.test");
                assertThat(event.recipients()).containsExactly("bob@example.com", "carol@example.com");
                assertThat(event.details()).containsEntry("virus", "Eicar");
                assertThat(event.node()).isNotEmpty();
            });
        assertThat(find(Optional.empty(), Optional.of("carol@example.com"))).containsExactly(first);
        assertThat(find(Optional.empty(), Optional.of("ob@example.com"))).isEmpty();
        assertThat(find(Optional.of("<m1@x>"), Optional.of("BOB@example.com"))).containsExactly(second, first);
        assertThat(store.events().count("verdict.infected", clock.instant().minusSeconds(60), clock.instant().plusSeconds(1))).isEqualTo(1);
    }

    @Test
    void policiesAreVersionedAuditedAndSharedWithinTheCacheTime() {
        try (SecurityStore node2 = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("security.db").toString()), clock)) {
            PolicyScenarios.changesApplyEverywhereWithinTheCacheTimeAndAreAudited(store, node2, clock, "");
        }
    }

    @Test
    void oneHostileMailNeverErasesTheAuditTrail() throws Exception {
        HostileEvents.oversizedValuesAreCutAndTheBatchIsStored(store);
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("security.db"))) {
            HostileEvents.aRefusedRowTakesNoOtherWithIt(store, admin,
                "CREATE TRIGGER bulwark_test_poison BEFORE INSERT ON bulwark_event WHEN NEW.message_id = '<poison@x>'"
                    + " BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
                "DROP TRIGGER bulwark_test_poison");
        }
    }

    @Test
    void statisticsCountPerKindAndBucketAndRankInfections() {
        Instant start = clock.instant();
        for (int i = 0; i < 3; i++) {
            store.events().record(SecurityEvent.of(start.plusSeconds(i * 30), "verdict.infected", Optional.empty(), Optional.of("worm@evil.test"),
                List.of("bob@example.com"), Map.of("virusNames", i == 0 ? "Eicar,Other" : "Eicar")));
        }
        store.events().record(SecurityEvent.of(start.plusSeconds(61), "verdict.clean", Optional.empty(), Optional.of("a@example.com"),
            List.of("carol@example.com"), Map.of()));
        store.events().record(SecurityEvent.of(start.plusSeconds(7200), "verdict.clean", Optional.empty(), Optional.empty(), List.of(), Map.of()));

        EventStatistics stats = store.events().statistics(start, start.plusSeconds(3600), Duration.ofMinutes(1));

        assertThat(stats.totals()).containsExactlyInAnyOrderEntriesOf(Map.of("verdict.infected", 3L, "verdict.clean", 1L));
        assertThat(stats.series()).extracting(EventStatistics.Bucket::start)
            .containsExactly(start, start.plusSeconds(60));
        assertThat(stats.series().get(0).counts()).isEqualTo(Map.of("verdict.infected", 2L));
        assertThat(stats.series().get(1).counts()).isEqualTo(Map.of("verdict.infected", 1L, "verdict.clean", 1L));
        assertThat(stats.topViruses()).containsExactly(new EventStatistics.Ranked("Eicar", 3), new EventStatistics.Ranked("Other", 1));
        assertThat(stats.topInfectedSenders()).containsExactly(new EventStatistics.Ranked("worm@evil.test", 3));
        assertThat(stats.topTargetedRecipients()).containsExactly(new EventStatistics.Ranked("bob@example.com", 3));
    }

    @Test
    void pagesAndPurgesEvents() throws Exception {
        for (int i = 0; i < 5; i++) {
            store.events().record(SecurityEvent.of(clock.instant().plusSeconds(i), "verdict.clean", Optional.of("<" + i + "@x>"),
                Optional.empty(), List.of(), Map.of()));
        }
        EventQuery secondPage = new EventQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), 2, 2);
        assertThat(store.events().find(secondPage)).extracting(e -> e.messageId().orElseThrow()).containsExactly("<2@x>", "<1@x>");

        assertThat(store.events().deleteBefore(clock.instant().plusSeconds(3))).isEqualTo(3);
        assertThat(store.events().find(EventQuery.latest(10))).extracting(e -> e.messageId().orElseThrow()).containsExactly("<4@x>", "<3@x>");
    }

    @Test
    void wildcardsInQueriesAreLiteral() {
        store.events().record(SecurityEvent.of(clock.instant(), "verdict.clean", Optional.empty(), Optional.empty(),
            List.of("a_b@example.com"), Map.of()));
        assertThat(find(Optional.empty(), Optional.of("a%@example.com"))).isEmpty();
        assertThat(find(Optional.empty(), Optional.of("aXb@example.com"))).isEmpty();
        assertThat(find(Optional.empty(), Optional.of("a_b@example.com"))).hasSize(1);
    }

    @Test
    void senderListsMatchAddressesDomainsAndWildcards() {
        assertThat(store.lists().add(SenderList.ALLOW, AddressPattern.parse("Partner.example"), "our partner")).isTrue();
        assertThat(store.lists().add(SenderList.ALLOW, AddressPattern.parse("@partner.example"), "again")).isFalse();
        store.lists().add(SenderList.BLOCK, AddressPattern.parse("*@*.spam.test"), "");
        store.lists().add(SenderList.BLOCK, AddressPattern.parse("news-*@shop.test"), "");

        assertThat(store.lists().match(SenderList.ALLOW, "alice@PARTNER.example")).get()
            .satisfies(entry -> assertThat(entry.comment()).isEqualTo("our partner"));
        assertThat(store.lists().match(SenderList.ALLOW, "alice@evilpartner.example")).isEmpty();
        assertThat(store.lists().match(SenderList.BLOCK, "x@mx.spam.test")).isPresent();
        assertThat(store.lists().match(SenderList.BLOCK, "x@spam.test")).isEmpty();
        assertThat(store.lists().match(SenderList.BLOCK, "news-daily@shop.test")).isPresent();
        assertThat(store.lists().match(SenderList.BLOCK, "orders@shop.test")).isEmpty();
        assertThat(store.lists().entries(SenderList.BLOCK)).extracting(e -> e.pattern().value()).containsExactly("*@*.spam.test", "news-*@shop.test");

        assertThat(store.lists().remove(SenderList.ALLOW, AddressPattern.parse("partner.example"))).isTrue();
        assertThat(store.lists().match(SenderList.ALLOW, "alice@partner.example")).isEmpty();
    }

    @Test
    void changesFromAnotherNodeApplyWithinTheCacheTime() {
        try (SecurityStore otherNode = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("security.db").toString()), clock)) {
            assertThat(store.lists().match(SenderList.BLOCK, "x@evil.test")).isEmpty();
            otherNode.lists().add(SenderList.BLOCK, AddressPattern.parse("evil.test"), "");
            otherNode.groups().add("finance", AddressPattern.parse("bob@example.com"));

            assertThat(store.lists().match(SenderList.BLOCK, "x@evil.test")).as("cached for cacheTtl").isEmpty();
            clock.advance(SecurityStoreConfig.DEFAULT_CACHE_TTL);
            assertThat(store.lists().match(SenderList.BLOCK, "x@evil.test")).isPresent();
            assertThat(store.groups().contains("finance", "bob@example.com")).isTrue();
        }
    }

    @Test
    void aSecretIsMadeOnceAndSharedByEveryNode() {
        byte[] first = store.secrets().getOrCreate("scan-stamp", 32);
        assertThat(first).hasSize(32);
        try (SecurityStore otherNode = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("security.db").toString()), clock)) {
            assertThat(otherNode.secrets().getOrCreate("scan-stamp", 32)).isEqualTo(first);
        }
        assertThat(store.secrets().getOrCreate("other", 32)).isNotEqualTo(first);
    }

    @Test
    void groupsHoldUsersAndDomains() {
        store.groups().add("finance", AddressPattern.parse("bob@example.com"));
        store.groups().add("finance", AddressPattern.parse("@accounting.example.com"));
        store.groups().add("students", AddressPattern.parse("school.example"));

        assertThat(store.groups().contains("finance", "BOB@example.com")).isTrue();
        assertThat(store.groups().contains("finance", "eve@accounting.example.com")).isTrue();
        assertThat(store.groups().contains("finance", "carol@example.com")).isFalse();
        assertThat(store.groups().contains("nobody", "bob@example.com")).isFalse();
        assertThat(store.groups().all()).containsOnlyKeys("finance", "students");

        store.groups().remove("students", AddressPattern.parse("@school.example"));
        assertThat(store.groups().all()).containsOnlyKeys("finance");
        assertThatThrownBy(() -> store.groups().add("Bad Name", AddressPattern.parse("a@b.c")))
            .hasMessageContaining("not a group name");
    }

    @Test
    void patternsAreValidated() {
        for (String bad : new String[] {"", "   ", "*", "@", "*@*", "a@b@c", "a b@c.d", "x@y\r\nz", "<a@b.c>"}) {
            assertThatThrownBy(() -> AddressPattern.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an address pattern").hasMessageNotContaining("\n");
        }
        assertThat(AddressPattern.parse(" Example.COM ").value()).isEqualTo("@example.com");
    }

    @Test
    void aBadUrlOrUnreachableDatabaseIsAClearError() {
        assertThatThrownBy(() -> new SecurityStoreConfig("jdbc:mysql://x/y", Optional.empty(), Optional.empty(), 2, Duration.ZERO))
            .hasMessageContaining("expected jdbc:sqlite:<file> or jdbc:postgresql://");
        assertThatThrownBy(() -> SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("missing/dir/x.db").toString()), clock))
            .isInstanceOf(StoreException.class).hasMessageStartingWith("cannot open the security store at jdbc:sqlite:");
    }

    private List<SecurityEvent> find(Optional<String> messageId, Optional<String> recipient) {
        return store.events().find(new EventQuery(Optional.empty(), messageId, Optional.empty(), recipient, Optional.empty(), Optional.empty(), 10));
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

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
}
