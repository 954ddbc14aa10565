package dev.bulwark.quarantine;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.Disposable;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quarantine: a James MailRepository whose mails carry their {@link QuarantineEntry} as one JSON
 * attribute, so any backend James supports keeps both together. Listing reads entries, never message
 * bodies (file and distributed repositories load bodies lazily). Releases are serialised in this JVM;
 * the entry records every release so a recipient is never released twice.
 *
 * <p>With a {@link QuarantineIndex}, listing, counting and filtering read the index, not the repository:
 * their cost follows the page, not the quarantine. Every write goes to the repository first, then to the
 * index, so a crash in between leaves an entry the index lacks (or, for a release or rescan, a row one step
 * behind), never a row for mail that was not kept. The index is used only once {@link #reconcile} has
 * brought it in line with the repository, and no longer after a write to it failed, until the next
 * reconciliation: meanwhile the store reads the repository, as it does without an index.
 */
public final class QuarantineStore {
    /** The entry, as JSON, on the stored mail. */
    public static final AttributeName ENTRY = AttributeName.of("bulwark.quarantine.entry");
    /** Set on the quarantined mail when processing goes on (passThrough), and on released mail: the quarantine id. */
    public static final AttributeName ID = AttributeName.of("bulwark.quarantine.id");
    /** Set only on mail re-injected by a release: the quarantine id it was released from. */
    public static final AttributeName RELEASED = AttributeName.of("bulwark.quarantine.released");
    /**
     * Set on mail that is already kept in the quarantine and passes through the quarantine processor only
     * for its notices (a message store-level scanning took out of a mailbox): the quarantine id.
     */
    public static final AttributeName STORED = AttributeName.of("bulwark.quarantine.stored");

    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantineStore.class);

    private final Supplier<MailRepository> repository;
    private final Duration retention;
    private final Duration heldRetention;
    private final Clock clock;
    private final QuarantineEntryCodec codec = new QuarantineEntryCodec();
    private final Optional<QuarantineIndex> index;
    /** Whether listings may read the index: set by a reconciliation, cleared by a failed index write. */
    private volatile boolean indexInUse;
    /** Failed index writes so far: a reconciliation trusts the index only when none failed while it ran. */
    private final AtomicLong indexWriteFailures = new AtomicLong();

    /**
     * Reads exclude writes. James's file repository reads an entry that is being written as corrupt and
     * then deletes it ("so we're deleting it"): a listing during a quarantine or a release could lose
     * mail. Within this James, every read and write of the quarantine goes through this store.
     */
    private final ReadWriteLock access = new ReentrantReadWriteLock();

    /**
     * @param repository the mail repository, looked up on use (James initialises its repository store after Guice wiring)
     * @param retention  how long an entry is kept before {@link #deleteMatching} with {@link QuarantineFilter#EXPIRED} purges it
     */
    public QuarantineStore(Supplier<MailRepository> repository, Duration retention, Clock clock) {
        this(repository, retention, retention, clock);
    }

    /** @param heldRetention the same for held mail ({@link QuarantineReason#isHeld()}) */
    public QuarantineStore(Supplier<MailRepository> repository, Duration retention, Duration heldRetention, Clock clock) {
        this(repository, retention, heldRetention, clock, Optional.empty());
    }

    /** @param index what lists, counts and filters once {@link #reconcile} has run; empty: the repository is read every time */
    public QuarantineStore(Supplier<MailRepository> repository, Duration retention, Duration heldRetention, Clock clock,
                           Optional<QuarantineIndex> index) {
        this.repository = repository;
        this.retention = retention;
        this.heldRetention = heldRetention;
        this.clock = clock;
        this.index = index;
    }

    /** Whether listings, counts and filters read the index now (see the class comment). */
    public boolean indexInUse() {
        return indexInUse;
    }

    /** A mark taken before a reconciliation runs elsewhere, for {@link #indexChecked}: the index writes failed so far. */
    public long indexMark() {
        return indexWriteFailures.get();
    }

    /**
     * A reconciliation that started after {@code mark} has completed, in this JVM or on another node sharing the
     * index (James's distributed task manager runs a task on any node): listings use the index from now on,
     * unless an index write of this store failed since the mark.
     */
    public void indexChecked(long mark) {
        if (index.isPresent() && indexWriteFailures.get() == mark) {
            if (!indexInUse) {
                LOGGER.info("Quarantine index in use");
            }
            indexInUse = true;
        }
    }

    public Duration retention() {
        return retention;
    }

    public Duration heldRetention() {
        return heldRetention;
    }

    public QuarantineEntryCodec codec() {
        return codec;
    }

    /** Stores a copy of the mail, with its entry, under a new quarantine id. The given mail is left unchanged. */
    public QuarantineEntry store(Mail mail, QuarantineReason reason, List<String> virusNames, Optional<Double> spamScore,
                                 Map<String, String> verdict) {
        return store(mail, reason, virusNames, spamScore, verdict, Optional.empty());
    }

    /** As {@link #store(Mail, QuarantineReason, List, Optional, Map)}, for a message taken out of a mailbox ({@code origin}). */
    public QuarantineEntry store(Mail mail, QuarantineReason reason, List<String> virusNames, Optional<Double> spamScore,
                                 Map<String, String> verdict, Optional<MailboxOrigin> origin) {
        Instant now = clock.instant();
        QuarantineId id = QuarantineId.random();
        try {
            MimeMessage message = mail.getMessage();
            QuarantineEntry entry = new QuarantineEntry(id, reason,
                mail.getMaybeSender().asOptional().map(MailAddress::asString),
                mail.getRecipients().stream().map(MailAddress::asString).toList(),
                Optional.ofNullable(mail.getRemoteAddr()),
                Optional.ofNullable(mail.getRemoteHost()),
                header(message, "Subject"),
                header(message, "Message-ID"),
                mail.getMessageSize(),
                now, now.plus(reason.isHeld() ? heldRetention : retention), virusNames, spamScore, verdict, List.of(), Optional.empty(), origin);
            MailImpl copy = MailImpl.duplicate(mail);
            try {
                copy.setName(id.asString());
                copy.setAttribute(new Attribute(ENTRY, AttributeValue.of(codec.write(entry))));
                write(() -> repository.get().store(copy));
            } finally {
                copy.dispose();
            }
            indexed(entry);
            return entry;
        } catch (MessagingException e) {
            throw new QuarantineStorageException("cannot store mail " + mail.getName() + " in the quarantine", e);
        }
    }

    public Optional<QuarantineEntry> entry(QuarantineId id) {
        return withMail(id, this::entryOf).flatMap(e -> e);
    }

    /** Writes the quarantined message, byte for byte as it was stored. */
    public boolean writeMessage(QuarantineId id, OutputStream out) {
        return withMail(id, mail -> {
            try {
                mail.getMessage().writeTo(out);
                return true;
            } catch (IOException | MessagingException e) {
                throw new QuarantineStorageException("cannot read quarantined message " + id, e);
            }
        }).orElse(false);
    }

    /** Runs {@code action} on the stored mail (disposed afterwards); empty when there is no such entry. */
    public <T> Optional<T> withMail(QuarantineId id, java.util.function.Function<Mail, T> action) {
        Mail mail = retrieve(new MailKey(id.asString()));
        if (mail == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(action.apply(mail));
        } finally {
            dispose(mail);
        }
    }

    /** Entries matching the filter, newest first. */
    public QuarantinePage list(QuarantineFilter filter, int offset, int limit) {
        Instant now = clock.instant();
        if (indexInUse) {
            try {
                return index.orElseThrow().list(filter, now, offset, limit);
            } catch (RuntimeException e) {
                LOGGER.warn("Quarantine index unreadable, listing from the repository instead: {}", e.getMessage());
            }
        }
        List<QuarantineEntry> matching = new ArrayList<>();
        forEachEntry(entry -> {
            if (filter.matches(entry, now)) {
                matching.add(entry);
            }
        });
        matching.sort(Comparator.comparing(QuarantineEntry::quarantinedAt).reversed().thenComparing(e -> e.id().asString()));
        List<QuarantineEntry> page = matching.stream().skip(offset).limit(limit).toList();
        return new QuarantinePage(matching.size(), offset, limit, page);
    }

    public Map<QuarantineReason, Long> counts() {
        Map<QuarantineReason, Long> counts = new EnumMap<>(QuarantineReason.class);
        for (QuarantineReason reason : QuarantineReason.values()) {
            counts.put(reason, 0L);
        }
        if (indexInUse) {
            try {
                counts.putAll(index.orElseThrow().counts());
                return counts;
            } catch (RuntimeException e) {
                LOGGER.warn("Quarantine index unreadable, counting from the repository instead: {}", e.getMessage());
                counts.replaceAll((reason, count) -> 0L);
            }
        }
        forEachEntry(entry -> counts.merge(entry.reason(), 1L, Long::sum));
        return counts;
    }

    public boolean delete(QuarantineId id) {
        MailKey key = new MailKey(id.asString());
        if (!exists(key)) {
            return false;
        }
        try {
            write(() -> repository.get().remove(key));
            unindexed(id);
            return true;
        } catch (MessagingException e) {
            throw new QuarantineStorageException("cannot delete quarantine entry " + id, e);
        }
    }

    /**
     * Deletes every entry the filter matches, reporting each deleted entry. Stops between entries when
     * the thread is interrupted (a cancelled James task), leaving the rest in place.
     */
    public long deleteMatching(QuarantineFilter filter, Consumer<QuarantineEntry> deleted) throws InterruptedException {
        Instant now = clock.instant();
        long count = 0;
        for (MailKey key : candidates(filter, now)) {
            if (Thread.interrupted()) {
                throw new InterruptedException("quarantine deletion cancelled after " + count + " entries");
            }
            Optional<QuarantineEntry> entry = entryAt(key);
            if (entry.isPresent() && filter.matches(entry.get(), now)) {
                try {
                    write(() -> repository.get().remove(key));
                } catch (MessagingException e) {
                    throw new QuarantineStorageException("cannot delete quarantine entry " + key.asString(), e);
                }
                unindexed(entry.get().id());
                count++;
                deleted.accept(entry.get());
            } else if (indexInUse) {
                repairRow(key, entry);
            }
        }
        return count;
    }

    /** The keys that may match: from the index when it is in use (each entry is still checked), otherwise every key. */
    private List<MailKey> candidates(QuarantineFilter filter, Instant now) {
        if (indexInUse) {
            try {
                return index.orElseThrow().ids(filter, now).stream().map(id -> new MailKey(id.asString())).toList();
            } catch (RuntimeException e) {
                LOGGER.warn("Quarantine index unreadable, reading every entry of the repository instead: {}", e.getMessage());
            }
        }
        return keys();
    }

    /** The index named an entry that is gone or no longer matches: its row is brought in line with the repository. */
    private void repairRow(MailKey key, Optional<QuarantineEntry> entry) {
        if (entry.isPresent()) {
            indexed(entry.get());
        } else if (!exists(key)) {
            unindexed(QuarantineId.of(key.asString()));
        }
    }

    private boolean exists(MailKey key) {
        Mail mail = retrieve(key);
        if (mail == null) {
            return false;
        }
        dispose(mail); // only its existence mattered; undisposed, James's leak detector reports it
        return true;
    }

    /**
     * Brings the index in line with the repository: entries it lacks are added, rows without an entry are
     * removed; with {@code full}, every entry is indexed again as it is (a row left one step behind by a
     * crash during a release or rescan is rewritten). Listings use the index from then on. Reads every key
     * of the repository, and every entry with {@code full}; stops between entries when the thread is
     * interrupted (a cancelled James task), leaving the index as it was in use before.
     *
     * @param progress told after each entry looked at
     */
    public Reconciliation reconcile(boolean full, Consumer<Reconciliation> progress) throws InterruptedException {
        QuarantineIndex target = index.orElseThrow(() -> new IllegalStateException("this quarantine store has no index"));
        long mark = indexMark();
        Instant now = clock.instant();
        // The index first, the repository after: every write reaches the repository before the index, so a row
        // read here whose entry is absent from the keys read next was deleted, never one still being stored.
        Set<String> rows = new HashSet<>();
        target.ids(QuarantineFilter.ALL, now).forEach(id -> rows.add(id.asString()));
        List<MailKey> keys = keys();
        Set<String> present = new HashSet<>();
        List<QuarantineEntry> batch = new ArrayList<>();
        long added = 0;
        long rewritten = 0;
        long removed = 0;
        long seen = 0;
        for (MailKey key : keys) {
            if (Thread.interrupted()) {
                throw new InterruptedException("quarantine reindex cancelled after " + seen + " entries");
            }
            seen++;
            present.add(key.asString());
            boolean missing = !rows.contains(key.asString());
            if (missing || full) {
                Optional<QuarantineEntry> entry = entryAt(key);
                if (entry.isPresent()) {
                    batch.add(entry.get());
                    if (missing) {
                        added++;
                    } else {
                        rewritten++;
                    }
                }
                if (batch.size() >= RECONCILE_BATCH) {
                    target.put(batch);
                    batch.clear();
                }
            }
            progress.accept(new Reconciliation(seen, added, rewritten, removed));
        }
        target.put(batch);
        for (String row : rows) {
            if (!present.contains(row) && !exists(new MailKey(row))) {
                target.remove(QuarantineId.of(row));
                removed++;
            }
        }
        Reconciliation done = new Reconciliation(keys.size(), added, rewritten, removed);
        progress.accept(done);
        if (indexWriteFailures.get() == mark) {
            indexChecked(mark);
        } else {
            LOGGER.warn("Quarantine index: a write failed during the reconciliation; listings keep reading the repository until the next one");
        }
        return done;
    }

    /** Entries indexed per write during a reconciliation. */
    private static final int RECONCILE_BATCH = 500;

    private void indexed(QuarantineEntry entry) {
        index.ifPresent(target -> {
            try {
                target.put(List.of(entry));
            } catch (RuntimeException e) {
                indexWriteFailed("cannot index quarantine entry " + entry.id(), e);
            }
        });
    }

    private void unindexed(QuarantineId id) {
        index.ifPresent(target -> {
            try {
                target.remove(id);
            } catch (RuntimeException e) {
                indexWriteFailed("cannot remove quarantine entry " + id + " from the index", e);
            }
        });
    }

    /** The entry is kept (the repository is the truth); only listings change course until a reconciliation. */
    private void indexWriteFailed(String what, RuntimeException e) {
        indexWriteFailures.incrementAndGet();
        indexInUse = false;
        LOGGER.warn("{}; the quarantine is listed from the repository until the index is reconciled (POST /bulwark/quarantine?action=reindex): {}",
            what, e.getMessage());
    }

    /** Records the latest rescan in the entry; the mail itself is unchanged. */
    public synchronized QuarantineEntry recordRescan(QuarantineId id, Rescan rescan) {
        Mail mail = retrieve(new MailKey(id.asString()));
        if (mail == null) {
            throw new QuarantineException(QuarantineException.Problem.NOT_FOUND, "no quarantine entry " + id);
        }
        try {
            QuarantineEntry updated = entryOf(mail).orElseThrow(() -> new QuarantineException(QuarantineException.Problem.NOT_FOUND,
                "no quarantine entry " + id)).withRescan(rescan);
            mail.setAttribute(new Attribute(ENTRY, AttributeValue.of(codec.write(updated))));
            write(() -> repository.get().store(mail));
            indexed(updated);
            return updated;
        } catch (MessagingException e) {
            throw new QuarantineStorageException("cannot record the rescan of quarantine entry " + id, e);
        } finally {
            dispose(mail);
        }
    }

    /**
     * Releases the mail to the chosen recipients (all not yet released when {@code chosen} is empty; an
     * empty list is refused): {@code reinject}
     * receives a copy addressed to them, marked {@link #RELEASED}; only when it returns is the release
     * recorded. Refused when a chosen recipient was not a recipient of the mail or was already released.
     */
    public QuarantineEntry release(QuarantineId id, Optional<List<String>> chosen, String releasedBy, Consumer<Mail> reinject) {
        return release(id, chosen, releasedBy, Optional.empty(), reinject);
    }

    /**
     * The same, for held mail an admin releases without a verdict: {@code unscannedReason} (why) is
     * recorded with the release. Refused for mail that is not held: quarantined mail was scanned.
     */
    public synchronized QuarantineEntry release(QuarantineId id, Optional<List<String>> chosen, String releasedBy,
                                                Optional<String> unscannedReason, Consumer<Mail> reinject) {
        MailKey key = new MailKey(id.asString());
        Mail mail = retrieve(key);
        if (mail == null) {
            throw new QuarantineException(QuarantineException.Problem.NOT_FOUND, "no quarantine entry " + id);
        }
        try {
            QuarantineEntry entry = entryOf(mail).orElseThrow(() -> new QuarantineException(QuarantineException.Problem.NOT_FOUND,
                "no quarantine entry " + id));
            if (unscannedReason.isPresent() && !entry.reason().isHeld()) {
                throw new QuarantineException(QuarantineException.Problem.INVALID, "quarantine entry " + id + " is not held mail ("
                    + entry.reason().asString() + "): it was scanned, and is released without an unscanned reason");
            }
            List<String> recipients = recipientsToRelease(entry, chosen);
            MailImpl released = MailImpl.duplicate(mail);
            try {
                released.setName(id.asString() + "-released-" + (entry.releases().size() + 1));
                released.setRecipients(recipients.stream().map(QuarantineStore::address).toList());
                released.removeAttribute(ENTRY);
                released.setAttribute(new Attribute(RELEASED, AttributeValue.of(id.asString())));
                released.setAttribute(new Attribute(ID, AttributeValue.of(id.asString())));
                reinject.accept(released);
            } finally {
                released.dispose();
            }
            QuarantineEntry updated = entry.withRelease(new Release(recipients, releasedBy, clock.instant(), unscannedReason));
            mail.setAttribute(new Attribute(ENTRY, AttributeValue.of(codec.write(updated))));
            write(() -> repository.get().store(mail));
            indexed(updated);
            LOGGER.info("Quarantine entry {} released to {} by {}{}", id, recipients, releasedBy,
                unscannedReason.map(reason -> ", unscanned: " + reason).orElse(""));
            return updated;
        } catch (MessagingException e) {
            throw new QuarantineStorageException("cannot release quarantine entry " + id, e);
        } finally {
            dispose(mail);
        }
    }

    /**
     * Gives held mail back to the pipeline and ends its entry: {@code reinject} receives a copy addressed
     * to the recipients not yet released (without the entry); only when it returns is the entry deleted.
     * A crash in between leaves the entry in place: the mail may come back twice, it is never lost.
     *
     * @return the entry as it was; empty when there is no such entry, or nobody is left to release to
     */
    public synchronized Optional<QuarantineEntry> take(QuarantineId id, Consumer<Mail> reinject) {
        MailKey key = new MailKey(id.asString());
        Mail mail = retrieve(key);
        if (mail == null) {
            return Optional.empty();
        }
        try {
            Optional<QuarantineEntry> entry = entryOf(mail);
            if (entry.isEmpty() || entry.get().unreleasedRecipients().isEmpty()) {
                return Optional.empty();
            }
            MailImpl back = MailImpl.duplicate(mail);
            try {
                back.setName(id.asString() + "-back");
                back.setRecipients(entry.get().unreleasedRecipients().stream().map(QuarantineStore::address).toList());
                back.removeAttribute(ENTRY);
                reinject.accept(back);
            } finally {
                back.dispose();
            }
            write(() -> repository.get().remove(key));
            unindexed(id);
            return entry;
        } catch (MessagingException e) {
            throw new QuarantineStorageException("cannot take back quarantine entry " + id, e);
        } finally {
            dispose(mail);
        }
    }

    private static List<String> recipientsToRelease(QuarantineEntry entry, Optional<List<String>> chosen) {
        if (chosen.isPresent() && chosen.get().isEmpty()) {
            // An empty choice is a mistake, never "everyone": releasing to all is asked for with Optional.empty().
            throw new QuarantineException(QuarantineException.Problem.INVALID,
                "no recipient chosen for quarantine entry " + entry.id() + "; its recipients are " + entry.recipients());
        }
        if (chosen.isEmpty()) {
            List<String> remaining = entry.unreleasedRecipients();
            if (remaining.isEmpty()) {
                throw new QuarantineException(QuarantineException.Problem.CONFLICT,
                    "quarantine entry " + entry.id() + " was already released to all its recipients " + entry.recipients());
            }
            return remaining;
        }
        List<String> recipients = new ArrayList<>(new LinkedHashSet<>(chosen.get()));
        for (String recipient : recipients) {
            if (entry.recipients().stream().noneMatch(r -> r.equalsIgnoreCase(recipient))) {
                throw new QuarantineException(QuarantineException.Problem.INVALID,
                    "'" + recipient + "' is not a recipient of quarantine entry " + entry.id() + "; its recipients are " + entry.recipients());
            }
            if (entry.releasedRecipients().stream().anyMatch(r -> r.equalsIgnoreCase(recipient))) {
                throw new QuarantineException(QuarantineException.Problem.CONFLICT,
                    "quarantine entry " + entry.id() + " was already released to " + recipient);
            }
        }
        // The entry's spelling, so that released recipients compare equal later.
        return recipients.stream()
            .map(r -> entry.recipients().stream().filter(e -> e.equalsIgnoreCase(r)).findFirst().orElseThrow())
            .toList();
    }

    private static MailAddress address(String value) {
        try {
            return new MailAddress(value);
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalStateException("stored recipient is not an address: " + value, e);
        }
    }

    private void forEachEntry(Consumer<QuarantineEntry> consumer) {
        for (MailKey key : keys()) {
            entryAt(key).ifPresent(consumer);
        }
    }

    private List<MailKey> keys() {
        try {
            List<MailKey> keys = new ArrayList<>();
            Iterator<MailKey> iterator = repository.get().list();
            iterator.forEachRemaining(keys::add);
            return keys;
        } catch (MessagingException e) {
            throw new QuarantineStorageException("cannot list the quarantine", e);
        }
    }

    private Optional<QuarantineEntry> entryAt(MailKey key) {
        Mail mail = retrieve(key);
        if (mail == null) {
            return Optional.empty(); // removed meanwhile
        }
        try {
            return entryOf(mail);
        } finally {
            dispose(mail);
        }
    }

    private Optional<QuarantineEntry> entryOf(Mail mail) {
        Optional<String> json = mail.getAttribute(ENTRY).map(Attribute::getValue).map(AttributeValue::value)
            .filter(String.class::isInstance).map(String.class::cast);
        if (json.isEmpty()) {
            LOGGER.warn("Mail {} in the quarantine repository has no quarantine entry (not stored by Bulwark); ignored", mail.getName());
            return Optional.empty();
        }
        try {
            return Optional.of(codec.read(json.get()));
        } catch (IllegalArgumentException e) {
            LOGGER.warn("Mail {} in the quarantine repository has an unreadable entry; ignored: {}", mail.getName(), e.getMessage());
            return Optional.empty();
        }
    }

    private Mail retrieve(MailKey key) {
        access.readLock().lock();
        try {
            return repository.get().retrieve(key);
        } catch (MessagingException e) {
            throw new QuarantineStorageException("cannot read quarantine entry " + key.asString(), e);
        } finally {
            access.readLock().unlock();
        }
    }

    private interface RepositoryWrite {
        void run() throws MessagingException;
    }

    private void write(RepositoryWrite write) throws MessagingException {
        access.writeLock().lock();
        try {
            write.run();
        } finally {
            access.writeLock().unlock();
        }
    }

    private static Optional<String> header(MimeMessage message, String name) throws MessagingException {
        return Optional.ofNullable(message.getHeader(name, null)).map(MessageStructure::decoded);
    }

    private static void dispose(Mail mail) {
        if (mail instanceof Disposable disposable) {
            disposable.dispose();
        }
    }
}
