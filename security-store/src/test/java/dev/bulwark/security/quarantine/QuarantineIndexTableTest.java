package dev.bulwark.security.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SecurityStoreConfig;

/** The quarantine index on a real SQLite file, as James uses it by default. */
class QuarantineIndexTableTest {
    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00.000123Z");

    @TempDir
    Path dir;

    private SecurityStore store;
    private QuarantineIndexTable index;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
        index = store.quarantineIndex();
    }

    /** The store under test: SQLite here, PostgreSQL in {@link PostgresQuarantineIndexTableTest}. */
    SecurityStore newStore() throws Exception {
        return SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("security.db").toString()), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        index.ids(IndexQuery.ALL).forEach(index::remove); // a shared database starts the next test empty
        store.close();
    }

    @Test
    void listsNewestFirstWithTiesByIdAndPages() {
        index.put(List.of(entry("b", 0, "virus"), entry("a", 0, "virus"), entry("c", 60, "spam"), entry("d", 120, "banned")));

        assertThat(index.page(IndexQuery.ALL, 0, 10)).isEqualTo(new IndexPage(4, List.of("{d}", "{c}", "{a}", "{b}")));
        assertThat(index.page(IndexQuery.ALL, 1, 2)).isEqualTo(new IndexPage(4, List.of("{c}", "{a}")));
        assertThat(index.page(IndexQuery.ALL, 3, 2)).isEqualTo(new IndexPage(4, List.of("{b}")));
        assertThat(index.page(IndexQuery.ALL, 10, 2)).isEqualTo(new IndexPage(4, List.of()));
        assertThat(index.count(IndexQuery.ALL)).isEqualTo(4);
    }

    @Test
    void filtersAsTheQuarantineFilterDoes() {
        index.put(List.of(
            entry("v1", 0, "virus", Optional.of("X@Evil.Test"), List.of("Bob@Example.com", "carol@example.com"), List.of("Win.Test.EICAR_HDB-1")),
            entry("v2", 60, "virus", Optional.of("y@evil.test"), List.of("dave@other.test"), List.of("Some%Odd_Name")),
            entry("s1", 120, "spam", Optional.empty(), List.of("bob@example.com"), List.of())));

        assertThat(ids(query(q -> q.reason("virus")))).containsExactly("v2", "v1");
        assertThat(ids(query(q -> q.sender("x@EVIL.test")))).containsExactly("v1");
        assertThat(ids(query(q -> q.sender("@EVIL.TEST")))).containsExactly("v2", "v1");
        assertThat(ids(query(q -> q.sender("@test")))).as("a domain matches whole, not by suffix").isEmpty();
        assertThat(ids(query(q -> q.recipient("BOB@example.com")))).containsExactly("s1", "v1");
        assertThat(ids(query(q -> q.recipient("@other.test")))).containsExactly("v2");
        assertThat(ids(query(q -> q.virus("eicar")))).containsExactly("v1");
        assertThat(ids(query(q -> q.virus("%odd_")))).as("LIKE's wildcards are matched as text").containsExactly("v2");
        assertThat(ids(query(q -> q.virus("_")))).containsExactly("v2", "v1");
        assertThat(ids(query(q -> q.virus("a%e")))).isEmpty();
        assertThat(ids(query(q -> q.after(T0.plusSeconds(60))))).containsExactly("s1", "v2");
        assertThat(ids(query(q -> q.before(T0.plusSeconds(60))))).containsExactly("v1");
        assertThat(ids(query(q -> q.reason("virus").recipient("@example.com")))).containsExactly("v1");
        assertThat(index.count(query(q -> q.recipient("@example.com")))).isEqualTo(2);
        assertThat(ids(query(q -> q.recipient("bob@example.com").after(T0.plusSeconds(60))))).containsExactly("s1");
        assertThat(ids(query(q -> q.recipient("@example.com").before(T0.plusSeconds(60))))).containsExactly("v1");
        assertThat(index.count(query(q -> q.recipient("@example.com").after(T0.plusSeconds(1)).before(T0.plusSeconds(121))))).isEqualTo(1);
    }

    @Test
    void expiredRowsAreThoseWhoseExpiryIsPast() {
        index.put(List.of(entry("old", 0, "virus"), entry("new", 86_400, "virus")));
        Instant oldExpiry = T0.plus(Duration.ofDays(30));

        assertThat(index.ids(query(q -> q.expiredAt(oldExpiry)))).containsExactly("old");
        assertThat(index.ids(query(q -> q.expiredAt(oldExpiry.minusNanos(1000))))).isEmpty();
    }

    @Test
    void putReplacesARowAndItsRecipientsAndRemoveForgetsBoth() {
        index.put(List.of(entry("e", 0, "virus", Optional.of("a@x.test"), List.of("old@example.com"), List.of())));
        index.put(List.of(entry("e", 0, "virus", Optional.of("a@x.test"), List.of("new@example.com"), List.of())));

        assertThat(ids(query(q -> q.recipient("old@example.com")))).isEmpty();
        assertThat(ids(query(q -> q.recipient("new@example.com")))).containsExactly("e");
        assertThat(index.count(IndexQuery.ALL)).isEqualTo(1);

        assertThat(index.remove("e")).isTrue();
        assertThat(index.remove("e")).isFalse();
        assertThat(index.count(IndexQuery.ALL)).isZero();
        assertThat(ids(query(q -> q.recipient("new@example.com")))).isEmpty();
    }

    @Test
    void countsPerReason() {
        index.put(List.of(entry("a", 0, "virus"), entry("b", 1, "virus"), entry("c", 2, "scan-failed")));

        assertThat(index.countsByReason()).isEqualTo(Map.of("virus", 2L, "scan-failed", 1L));
    }

    @Test
    void writesManyEntriesInBatches() {
        List<IndexedEntry> many = new ArrayList<>();
        for (int i = 0; i < QuarantineIndexTable.BATCH * 2 + 7; i++) {
            many.add(entry(String.format("id-%05d", i), i, i % 2 == 0 ? "virus" : "spam"));
        }
        index.put(many);

        assertThat(index.count(IndexQuery.ALL)).isEqualTo(many.size());
        assertThat(index.page(IndexQuery.ALL, 0, 1).entries()).containsExactly("{id-01006}");
        assertThat(index.page(query(q -> q.reason("spam")), 0, 3).total()).isEqualTo(QuarantineIndexTable.BATCH + 3);
    }

    private List<String> ids(IndexQuery query) {
        return index.page(query, 0, 100).entries().stream().map(json -> json.substring(1, json.length() - 1)).toList();
    }

    private static IndexedEntry entry(String id, long secondsAfterT0, String reason) {
        return entry(id, secondsAfterT0, reason, Optional.of("sender@example.com"), List.of("rcpt@example.com"), List.of());
    }

    private static IndexedEntry entry(String id, long secondsAfterT0, String reason, Optional<String> sender, List<String> recipients,
                                      List<String> viruses) {
        Instant stored = T0.plusSeconds(secondsAfterT0);
        return new IndexedEntry(id, stored, stored.plus(Duration.ofDays(30)), reason, sender, recipients, viruses, Optional.of("subject"),
            1234, IndexedEntry.Released.NONE, Optional.empty(), Optional.empty(), "{" + id + "}");
    }

    /** A query built from {@link IndexQuery#ALL} by naming the criteria that differ. */
    private static IndexQuery query(java.util.function.UnaryOperator<Builder> criteria) {
        return criteria.apply(new Builder(IndexQuery.ALL)).query;
    }

    private record Builder(IndexQuery query) {
        Builder reason(String value) {
            return new Builder(new IndexQuery(Optional.of(value), query.sender(), query.recipient(), query.virus(), query.after(), query.before(), query.expiredAt()));
        }

        Builder sender(String value) {
            return new Builder(new IndexQuery(query.reason(), Optional.of(value), query.recipient(), query.virus(), query.after(), query.before(), query.expiredAt()));
        }

        Builder recipient(String value) {
            return new Builder(new IndexQuery(query.reason(), query.sender(), Optional.of(value), query.virus(), query.after(), query.before(), query.expiredAt()));
        }

        Builder virus(String value) {
            return new Builder(new IndexQuery(query.reason(), query.sender(), query.recipient(), Optional.of(value), query.after(), query.before(), query.expiredAt()));
        }

        Builder after(Instant value) {
            return new Builder(new IndexQuery(query.reason(), query.sender(), query.recipient(), query.virus(), Optional.of(value), query.before(), query.expiredAt()));
        }

        Builder before(Instant value) {
            return new Builder(new IndexQuery(query.reason(), query.sender(), query.recipient(), query.virus(), query.after(), Optional.of(value), query.expiredAt()));
        }

        Builder expiredAt(Instant value) {
            return new Builder(new IndexQuery(query.reason(), query.sender(), query.recipient(), query.virus(), query.after(), query.before(), Optional.of(value)));
        }
    }
}
