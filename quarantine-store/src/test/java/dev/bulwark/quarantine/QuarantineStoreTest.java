package dev.bulwark.quarantine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.internet.MimeMessage;

import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class QuarantineStoreTest {
    private static final String RAW = "From: a@example.com\r\nTo: b@example.com, c@example.com\r\n"
        + "Subject: =?UTF-8?Q?caf=C3=A9?=\r\nMessage-ID: <m1@example.com>\r\n\r\nbody  with odd   spacing\r\n";

    private final MemoryMailRepository repository = new MemoryMailRepository();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final QuarantineStore store = new QuarantineStore(() -> repository, Duration.ofDays(30), clock);

    @Test
    void storesTheMailWithItsEntryLeavingTheOriginalUntouched() throws Exception {
        Mail mail = mail("a@example.com", "b@example.com", "c@example.com");
        QuarantineEntry entry = store.store(mail, QuarantineReason.VIRUS, List.of("Eicar-Signature"), Optional.empty(),
            Map.of("bulwark.virus.status", "infected"));

        assertThat(entry.subject()).contains("café");
        assertThat(entry.messageId()).contains("<m1@example.com>");
        assertThat(entry.sender()).contains("a@example.com");
        assertThat(entry.recipients()).containsExactly("b@example.com", "c@example.com");
        assertThat(entry.remoteAddress()).contains("192.0.2.7");
        assertThat(entry.expiresAt()).isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
        assertThat(store.entry(entry.id())).contains(entry);
        assertThat(mail.getName()).isEqualTo("original");
        assertThat(mail.getAttribute(QuarantineStore.ENTRY)).isEmpty();
    }

    @Test
    void givesBackTheStoredBytesExactly() throws Exception {
        QuarantineEntry entry = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(), Map.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThat(store.writeMessage(entry.id(), out)).isTrue();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(RAW);
        assertThat(store.writeMessage(QuarantineId.of("missing"), new ByteArrayOutputStream())).isFalse();
    }

    @Test
    void listsNewestFirstWithFiltersAndPaging() throws Exception {
        QuarantineEntry first = store.store(mail("x@evil.test", "b@example.com"), QuarantineReason.VIRUS, List.of("Win.Test.EICAR_HDB-1"), Optional.empty(), Map.of());
        clock.advance(Duration.ofMinutes(1));
        QuarantineEntry second = store.store(mail("y@spam.test", "c@example.com"), QuarantineReason.SPAM, List.of(), Optional.of(1000.0), Map.of());
        clock.advance(Duration.ofMinutes(1));
        QuarantineEntry third = store.store(mail("z@evil.test", "b@other.test"), QuarantineReason.SUSPICIOUS, List.of("Heuristics.Limits.Exceeded"), Optional.empty(), Map.of());

        assertThat(store.list(QuarantineFilter.ALL, 0, 10).entries()).containsExactly(third, second, first);
        assertThat(store.list(QuarantineFilter.ALL, 1, 1)).isEqualTo(new QuarantinePage(3, 1, 1, List.of(second)));
        assertThat(ids(filter(f -> new QuarantineFilter(Optional.of(QuarantineReason.VIRUS), f.sender(), f.recipient(), f.virus(), f.after(), f.before(), false))))
            .containsExactly(first.id());
        assertThat(ids(filter(f -> new QuarantineFilter(f.reason(), Optional.of("@EVIL.test"), f.recipient(), f.virus(), f.after(), f.before(), false))))
            .containsExactly(third.id(), first.id());
        assertThat(ids(filter(f -> new QuarantineFilter(f.reason(), f.sender(), Optional.of("b@example.com"), f.virus(), f.after(), f.before(), false))))
            .containsExactly(first.id());
        assertThat(ids(filter(f -> new QuarantineFilter(f.reason(), f.sender(), f.recipient(), Optional.of("eicar"), f.after(), f.before(), false))))
            .containsExactly(first.id());
        assertThat(ids(filter(f -> new QuarantineFilter(f.reason(), f.sender(), f.recipient(), f.virus(),
                Optional.of(second.quarantinedAt()), Optional.of(third.quarantinedAt()), false))))
            .containsExactly(second.id());
        assertThat(store.counts()).containsEntry(QuarantineReason.VIRUS, 1L).containsEntry(QuarantineReason.SPAM, 1L)
            .containsEntry(QuarantineReason.SUSPICIOUS, 1L).containsEntry(QuarantineReason.BANNED, 0L);
    }

    @Test
    void releasesToChosenRecipientsOnceEach() throws Exception {
        QuarantineEntry entry = store.store(mail("a@example.com", "b@example.com", "c@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(), Map.of());
        List<Mail> reinjected = new ArrayList<>();

        QuarantineEntry afterFirst = store.release(entry.id(), Optional.of(List.of("B@example.com")), "admin", mail -> reinjected.add(copy(mail)));

        assertThat(reinjected).hasSize(1);
        assertThat(reinjected.get(0).getRecipients()).extracting(Object::toString).containsExactly("b@example.com");
        assertThat(reinjected.get(0).getAttribute(QuarantineStore.RELEASED)).isPresent();
        assertThat(reinjected.get(0).getAttribute(QuarantineStore.ENTRY)).isEmpty();
        assertThat(afterFirst.releases()).singleElement().satisfies(release -> {
            assertThat(release.recipients()).containsExactly("b@example.com");
            assertThat(release.releasedBy()).isEqualTo("admin");
        });
        assertThat(store.entry(entry.id())).contains(afterFirst);

        assertThatThrownBy(() -> store.release(entry.id(), Optional.of(List.of("b@example.com")), "admin", reinjected::add))
            .isInstanceOfSatisfying(QuarantineException.class, e -> assertThat(e.problem()).isEqualTo(QuarantineException.Problem.CONFLICT))
            .hasMessageContaining("already released to b@example.com");
        assertThatThrownBy(() -> store.release(entry.id(), Optional.of(List.of("other@example.com")), "admin", reinjected::add))
            .isInstanceOfSatisfying(QuarantineException.class, e -> assertThat(e.problem()).isEqualTo(QuarantineException.Problem.INVALID));
        // An empty choice is refused, never taken for "all".
        assertThatThrownBy(() -> store.release(entry.id(), Optional.of(List.of()), "admin", reinjected::add))
            .isInstanceOfSatisfying(QuarantineException.class, e -> assertThat(e.problem()).isEqualTo(QuarantineException.Problem.INVALID))
            .hasMessageContaining("no recipient chosen");
        assertThat(reinjected).hasSize(1);

        store.release(entry.id(), Optional.empty(), "admin", mail -> reinjected.add(copy(mail)));
        assertThat(reinjected.get(1).getRecipients()).extracting(Object::toString).containsExactly("c@example.com");
        assertThatThrownBy(() -> store.release(entry.id(), Optional.empty(), "admin", reinjected::add))
            .hasMessageContaining("already released to all its recipients");
        assertThat(reinjected).hasSize(2);
    }

    @Test
    void recordsTheLatestRescanAndReadsEntriesWrittenBeforeRescansExisted() throws Exception {
        QuarantineEntry entry = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.SUSPICIOUS,
            List.of("Heuristics.Limits.Exceeded.MaxRecursion"), Optional.empty(), Map.of());
        assertThat(entry.rescan()).isEmpty();

        Rescan first = new Rescan(clock.instant(), "suspicious", List.of("Heuristics.Limits.Exceeded.MaxRecursion"), Optional.empty());
        Rescan second = new Rescan(clock.instant().plusSeconds(60), "clean", List.of(), Optional.of("ClamAV 1.4.6/27001/Tue Dec  1 10:26:21 2026"));
        store.recordRescan(entry.id(), first);
        QuarantineEntry updated = store.recordRescan(entry.id(), second);

        assertThat(updated.rescan()).contains(second);
        assertThat(store.entry(entry.id())).contains(updated);
        assertThat(updated.withRescan(first).reason()).isEqualTo(QuarantineReason.SUSPICIOUS);
        assertThatThrownBy(() -> store.recordRescan(QuarantineId.of("missing"), first)).isInstanceOf(QuarantineException.class);

        String written = store.codec().write(entry);
        assertThat(written).contains("\"rescan\"");
        String older = written.replaceAll(",\"rescan\":[^,}]*", "");
        assertThat(older).doesNotContain("rescan");
        assertThat(store.codec().read(older)).isEqualTo(entry);
    }

    @Test
    void keepsTheMailboxAMessageWasTakenFromAndReadsEntriesWrittenBeforeOrigins() throws Exception {
        MailboxOrigin origin = new MailboxOrigin("b@example.com", "Archive.2026", Optional.empty());
        QuarantineEntry taken = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of("Eicar-Signature"),
            Optional.empty(), Map.of(), Optional.of(origin));
        assertThat(store.entry(taken.id()).orElseThrow().origin()).contains(origin);
        QuarantineEntry released = store.release(taken.id(), Optional.empty(), "admin", mail -> { });
        assertThat(released.origin()).contains(origin);
        assertThat(store.codec().write(taken)).contains("\"origin\":{\"owner\":\"b@example.com\",\"mailbox\":\"Archive.2026\"}");

        // Who added it, when an arrival was seen: kept and read back; an entry written before actors reads as none.
        MailboxOrigin shared = new MailboxOrigin("b@example.com", "Shared", Optional.of("c@example.com"));
        QuarantineEntry added = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(),
            Map.of(), Optional.of(shared));
        assertThat(store.entry(added.id()).orElseThrow().origin()).contains(shared);
        assertThat(store.codec().write(added)).contains("\"origin\":{\"owner\":\"b@example.com\",\"mailbox\":\"Shared\",\"actor\":\"c@example.com\"}");

        QuarantineEntry pipeline = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(), Map.of());
        assertThat(pipeline.origin()).isEmpty();
        String older = store.codec().write(pipeline).replaceAll(",\"origin\":null", "");
        assertThat(older).doesNotContain("origin");
        assertThat(store.codec().read(older)).isEqualTo(pipeline);
    }

    @Test
    void aFailedReinjectionIsNotRecorded() throws Exception {
        QuarantineEntry entry = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(), Map.of());

        assertThatThrownBy(() -> store.release(entry.id(), Optional.empty(), "admin", mail -> {
            throw new IllegalStateException("spool unavailable");
        })).hasMessage("spool unavailable");

        assertThat(store.entry(entry.id()).orElseThrow().releases()).isEmpty();
    }

    @Test
    void purgeDeletesOnlyExpiredEntries() throws Exception {
        QuarantineEntry old = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(), Map.of());
        clock.advance(Duration.ofDays(20));
        QuarantineEntry recent = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.SPAM, List.of(), Optional.empty(), Map.of());
        clock.advance(Duration.ofDays(10));
        List<QuarantineEntry> deleted = new ArrayList<>();

        assertThat(store.deleteMatching(QuarantineFilter.EXPIRED, deleted::add)).isEqualTo(1);

        assertThat(deleted).containsExactly(old);
        assertThat(store.list(QuarantineFilter.ALL, 0, 10).entries()).containsExactly(recent);
    }

    @Test
    void aCancelledDeletionStopsBetweenEntries() throws Exception {
        store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(), Map.of());
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> store.deleteMatching(QuarantineFilter.ALL, entry -> { }))
            .isInstanceOf(InterruptedException.class);
        assertThat(store.list(QuarantineFilter.ALL, 0, 10).total()).isEqualTo(1);
    }

    @Test
    void deleteOne() throws Exception {
        QuarantineEntry entry = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of(), Optional.empty(), Map.of());

        assertThat(store.delete(entry.id())).isTrue();
        assertThat(store.delete(entry.id())).isFalse();
        assertThat(store.entry(entry.id())).isEmpty();
    }

    @Test
    void mailsNotStoredByBulwarkAreIgnored() throws Exception {
        repository.store(mail("a@example.com", "b@example.com"));

        assertThat(store.list(QuarantineFilter.ALL, 0, 10).total()).isZero();
    }

    @Test
    void idsAreValidated() {
        assertThat(QuarantineId.random().asString()).matches("[0-9a-f-]{36}");
        for (String bad : new String[] {"", "../etc/passwd", "a/b", "a b", "a\u0000", "x".repeat(129), ".hidden"}) {
            assertThatThrownBy(() -> QuarantineId.of(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid quarantine id").hasMessageNotContaining("\u0000");
        }
    }

    private List<QuarantineId> ids(QuarantineFilter filter) {
        return store.list(filter, 0, 10).entries().stream().map(QuarantineEntry::id).toList();
    }

    @Test
    void heldMailHasItsOwnRetentionAndCounts() throws Exception {
        QuarantineStore withHeld = new QuarantineStore(() -> repository, Duration.ofDays(30), Duration.ofDays(7), clock);
        QuarantineEntry held = withHeld.store(mail("a@example.com", "b@example.com"), QuarantineReason.UNSCANNABLE, List.of(), Optional.empty(),
            Map.of("bulwark.virus.reason", "part 2 is over clamd's stream limit"));
        QuarantineEntry virus = withHeld.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of("Eicar"), Optional.empty(), Map.of());

        assertThat(held.expiresAt()).isEqualTo(Instant.parse("2026-01-08T00:00:00Z"));
        assertThat(virus.expiresAt()).isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
        assertThat(withHeld.counts()).containsEntry(QuarantineReason.UNSCANNABLE, 1L).containsEntry(QuarantineReason.SCAN_FAILED, 0L);
        assertThat(QuarantineReason.of("unscannable").isHeld()).isTrue();
        assertThat(QuarantineReason.SCAN_FAILED.isHeld()).isTrue();
        assertThat(QuarantineReason.SUSPICIOUS.isHeld()).isFalse();
    }

    @Test
    void heldMailIsReleasedUnscannedOnlyWithAReasonThatIsRecorded() throws Exception {
        QuarantineEntry held = store.store(mail("a@example.com", "b@example.com", "c@example.com"), QuarantineReason.UNSCANNABLE, List.of(),
            Optional.empty(), Map.of());
        QuarantineEntry virus = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.VIRUS, List.of("Eicar"), Optional.empty(), Map.of());
        List<Mail> reinjected = new ArrayList<>();

        QuarantineEntry released = store.release(held.id(), Optional.of(List.of("b@example.com")), "admin",
            Optional.of("a known vendor's disk image"), reinjected::add);

        assertThat(released.releases()).singleElement().satisfies(release -> {
            assertThat(release.unscannedReason()).contains("a known vendor's disk image");
            assertThat(release.recipients()).containsExactly("b@example.com");
        });
        assertThat(store.entry(held.id()).orElseThrow().releases().get(0).unscannedReason()).contains("a known vendor's disk image");
        assertThat(reinjected).hasSize(1);
        assertThatThrownBy(() -> store.release(virus.id(), Optional.empty(), "admin", Optional.of("trust me"), reinjected::add))
            .isInstanceOf(QuarantineException.class).hasMessageContaining("is not held mail (virus)");
        assertThat(reinjected).hasSize(1);
    }

    @Test
    void heldMailTakenBackGoesToItsUnreleasedRecipientsAndLeavesTheStore() throws Exception {
        QuarantineEntry held = store.store(mail("a@example.com", "b@example.com", "c@example.com"), QuarantineReason.SCAN_FAILED, List.of(),
            Optional.empty(), Map.of());
        store.release(held.id(), Optional.of(List.of("b@example.com")), "admin", Optional.of("urgent"), mail -> { });
        List<Mail> back = new ArrayList<>();

        assertThat(store.take(held.id(), mail -> back.add(copy(mail)))).hasValueSatisfying(entry -> assertThat(entry.id()).isEqualTo(held.id()));

        assertThat(back).singleElement().satisfies(mail -> {
            assertThat(mail.getRecipients()).extracting(Object::toString).containsExactly("c@example.com");
            assertThat(mail.getAttribute(QuarantineStore.ENTRY)).isEmpty();
        });
        assertThat(store.entry(held.id())).isEmpty();
        assertThat(store.take(held.id(), back::add)).isEmpty();

        QuarantineEntry failing = store.store(mail("a@example.com", "b@example.com"), QuarantineReason.SCAN_FAILED, List.of(), Optional.empty(), Map.of());
        assertThatThrownBy(() -> store.take(failing.id(), mail -> {
            throw new IllegalStateException("spool full");
        })).hasMessage("spool full");
        assertThat(store.entry(failing.id())).as("kept when the pipeline did not take it").isPresent();
    }

    private static QuarantineFilter filter(java.util.function.UnaryOperator<QuarantineFilter> change) {
        return change.apply(QuarantineFilter.ALL);
    }

    private static Mail copy(Mail mail) {
        try {
            return mail.duplicate();
        } catch (javax.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Mail mail(String sender, String... recipients) throws Exception {
        MimeMessage message = new MimeMessageWrapper(MimeMessageInputStreamSource.create("source",
            new ByteArrayInputStream(RAW.getBytes(StandardCharsets.US_ASCII))));
        return FakeMail.builder().name("original").sender(sender).recipients(recipients).mimeMessage(message)
            .remoteAddr("192.0.2.7").remoteHost("mx.example.com").build();
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
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
