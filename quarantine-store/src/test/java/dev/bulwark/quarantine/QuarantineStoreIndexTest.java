package dev.bulwark.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.junit.jupiter.api.Test;

/** The store with an index: what it writes there, when it reads it, and how it repairs it. */
class QuarantineStoreIndexTest {
    private final MemoryMailRepository repository = new MemoryMailRepository();
    private final QuarantineStoreTest.MutableClock clock = new QuarantineStoreTest.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MapIndex index = new MapIndex();
    private final QuarantineStore store = new QuarantineStore(() -> repository, Duration.ofDays(30), Duration.ofDays(30), clock,
        Optional.of(index));

    @Test
    void everyWriteReachesTheIndex() throws Exception {
        QuarantineEntry virus = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com", "c@example.com"), QuarantineReason.VIRUS,
            List.of("Eicar"), Optional.empty(), Map.of());
        QuarantineEntry held = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.SCAN_FAILED,
            List.of(), Optional.empty(), Map.of());
        assertThat(index.rows).containsOnlyKeys(virus.id(), held.id());

        QuarantineEntry released = store.release(virus.id(), Optional.of(List.of("b@example.com")), "admin", mail -> { });
        assertThat(index.rows.get(virus.id())).isEqualTo(released);
        QuarantineEntry rescanned = store.recordRescan(virus.id(), new Rescan(clock.instant(), "infected", List.of("Eicar"), Optional.empty()));
        assertThat(index.rows.get(virus.id())).isEqualTo(rescanned);

        store.take(held.id(), mail -> { });
        assertThat(index.rows).containsOnlyKeys(virus.id());
        store.delete(virus.id());
        assertThat(index.rows).isEmpty();
    }

    @Test
    void listsFromTheRepositoryUntilReconciledThenFromTheIndex() throws Exception {
        QuarantineEntry first = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS,
            List.of(), Optional.empty(), Map.of());
        index.rows.clear(); // as if the index write had been lost in a crash

        assertThat(store.indexInUse()).isFalse();
        assertThat(store.list(QuarantineFilter.ALL, 0, 10).entries()).containsExactly(first);
        assertThat(index.reads).isZero();

        Reconciliation done = store.reconcile(false, progress -> { });
        assertThat(done).isEqualTo(new Reconciliation(1, 1, 0, 0));
        assertThat(store.indexInUse()).isTrue();
        assertThat(store.list(QuarantineFilter.ALL, 0, 10).entries()).containsExactly(first);
        assertThat(store.counts()).containsEntry(QuarantineReason.VIRUS, 1L).containsEntry(QuarantineReason.SPAM, 0L);
        assertThat(index.reads).isEqualTo(2);
    }

    @Test
    void reconciliationAddsWhatTheIndexLacksAndRemovesRowsWithoutAnEntry() throws Exception {
        QuarantineEntry kept = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS,
            List.of(), Optional.empty(), Map.of());
        QuarantineEntry lost = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.SPAM,
            List.of(), Optional.empty(), Map.of());
        store.reconcile(false, progress -> { });
        index.rows.remove(lost.id());
        QuarantineEntry ghost = new QuarantineEntry(QuarantineId.of("ghost"), QuarantineReason.BANNED, Optional.empty(), List.of("x@example.com"),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 1, clock.instant(), clock.instant(), List.of(),
            Optional.empty(), Map.of(), List.of(), Optional.empty(), Optional.empty());
        index.rows.put(ghost.id(), ghost);
        // A row one step behind: the release reached the repository, not the index.
        QuarantineEntry released = store.release(kept.id(), Optional.empty(), "admin", mail -> { });
        index.rows.put(kept.id(), kept);

        assertThat(store.reconcile(false, progress -> { })).isEqualTo(new Reconciliation(2, 1, 0, 1));
        assertThat(index.rows).containsOnlyKeys(kept.id(), lost.id());
        assertThat(index.rows.get(kept.id())).as("only a full reindex rewrites rows").isEqualTo(kept);

        assertThat(store.reconcile(true, progress -> { })).isEqualTo(new Reconciliation(2, 0, 2, 0));
        assertThat(index.rows.get(kept.id())).isEqualTo(released);
    }

    @Test
    void aFailedIndexWriteSendsListingsBackToTheRepositoryUntilTheNextReconciliation() throws Exception {
        store.reconcile(false, progress -> { });
        index.failing = true;
        QuarantineEntry stored = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS,
            List.of(), Optional.empty(), Map.of());

        assertThat(store.indexInUse()).isFalse();
        assertThat(store.list(QuarantineFilter.ALL, 0, 10).entries()).containsExactly(stored);

        index.failing = false;
        store.reconcile(false, progress -> { });
        assertThat(store.indexInUse()).isTrue();
        assertThat(index.rows).containsOnlyKeys(stored.id());
    }

    @Test
    void aCheckCompletedElsewhereCountsUnlessAnIndexWriteFailedSinceItsMark() throws Exception {
        long mark = store.indexMark();
        store.indexChecked(mark); // the start-up check ran on another node sharing the index
        assertThat(store.indexInUse()).isTrue();

        QuarantineStore other = new QuarantineStore(() -> repository, Duration.ofDays(30), Duration.ofDays(30), clock, Optional.of(index));
        long before = other.indexMark();
        index.failing = true;
        other.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(), Map.of());
        other.indexChecked(before);
        assertThat(other.indexInUse()).as("a row this node could not write may be missing").isFalse();
    }

    @Test
    void anUnreadableIndexIsReadAroundWithoutLosingTrust() throws Exception {
        QuarantineEntry stored = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS,
            List.of(), Optional.empty(), Map.of());
        store.reconcile(false, progress -> { });
        index.unreadable = true;

        assertThat(store.list(QuarantineFilter.ALL, 0, 10).entries()).containsExactly(stored);
        assertThat(store.counts()).containsEntry(QuarantineReason.VIRUS, 1L);
        assertThat(store.indexInUse()).isTrue();
    }

    @Test
    void deletionByFilterTakesItsCandidatesFromTheIndexAndChecksEachEntry() throws Exception {
        QuarantineEntry old = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS,
            List.of(), Optional.empty(), Map.of());
        clock.advance(Duration.ofDays(40));
        QuarantineEntry fresh = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS,
            List.of(), Optional.empty(), Map.of());
        store.reconcile(false, progress -> { });
        // A stale row claims the fresh entry has expired; the entry itself says otherwise.
        index.rows.put(fresh.id(), withExpiry(fresh, clock.instant().minusSeconds(1)));
        repository.remove(new MailKey(old.id().asString()));
        index.rows.put(old.id(), old); // a row whose entry is gone

        List<QuarantineEntry> deleted = new ArrayList<>();
        assertThat(store.deleteMatching(QuarantineFilter.EXPIRED, deleted::add)).isZero();
        assertThat(store.entry(fresh.id())).isPresent();
        assertThat(index.rows).as("both rows repaired").containsOnlyKeys(fresh.id());
        assertThat(index.rows.get(fresh.id())).isEqualTo(fresh);
    }

    private static QuarantineEntry withExpiry(QuarantineEntry e, Instant expiry) {
        return new QuarantineEntry(e.id(), e.reason(), e.sender(), e.recipients(), e.remoteAddress(), e.remoteHost(), e.subject(), e.messageId(),
            e.size(), e.quarantinedAt(), expiry, e.virusNames(), e.spamScore(), e.verdict(), e.releases(), e.rescan(), e.origin());
    }

    /** An index in a map, filtered as the repository is: the store's side of the contract, without a database. */
    static final class MapIndex implements QuarantineIndex {
        final Map<QuarantineId, QuarantineEntry> rows = new ConcurrentHashMap<>();
        volatile boolean failing;
        volatile boolean unreadable;
        int reads;

        @Override
        public void put(Collection<QuarantineEntry> entries) {
            if (failing) {
                throw new IllegalStateException("index down");
            }
            entries.forEach(entry -> rows.put(entry.id(), entry));
        }

        @Override
        public void remove(QuarantineId id) {
            if (failing) {
                throw new IllegalStateException("index down");
            }
            rows.remove(id);
        }

        @Override
        public QuarantinePage list(QuarantineFilter filter, Instant now, int offset, int limit) {
            read();
            List<QuarantineEntry> matching = rows.values().stream().filter(entry -> filter.matches(entry, now))
                .sorted(Comparator.comparing(QuarantineEntry::quarantinedAt).reversed().thenComparing(e -> e.id().asString())).toList();
            return new QuarantinePage(matching.size(), offset, limit, matching.stream().skip(offset).limit(limit).toList());
        }

        @Override
        public Map<QuarantineReason, Long> counts() {
            read();
            Map<QuarantineReason, Long> counts = new EnumMap<>(QuarantineReason.class);
            rows.values().forEach(entry -> counts.merge(entry.reason(), 1L, Long::sum));
            return counts;
        }

        @Override
        public List<QuarantineId> ids(QuarantineFilter filter, Instant now) {
            if (unreadable) {
                throw new IllegalStateException("index unreadable");
            }
            return rows.values().stream().filter(entry -> filter.matches(entry, now)).map(QuarantineEntry::id).toList();
        }

        private void read() {
            if (unreadable) {
                throw new IllegalStateException("index unreadable");
            }
            reads++;
        }
    }
}
