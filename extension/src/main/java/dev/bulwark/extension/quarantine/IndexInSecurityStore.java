package dev.bulwark.extension.quarantine;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineEntryCodec;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineId;
import dev.bulwark.quarantine.QuarantineIndex;
import dev.bulwark.quarantine.QuarantinePage;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.security.quarantine.IndexQuery;
import dev.bulwark.security.quarantine.IndexedEntry;
import dev.bulwark.security.quarantine.QuarantineIndexTable;

/**
 * The quarantine store's index kept in the security store's table (issue #22): the one place that knows
 * both, so that neither module depends on the other. A row carries the entry's JSON as the quarantine
 * store writes it, so a listing reads the page's rows and nothing else.
 */
public final class IndexInSecurityStore implements QuarantineIndex {
    private final QuarantineIndexTable table;
    private final QuarantineEntryCodec codec;

    public IndexInSecurityStore(QuarantineIndexTable table, QuarantineEntryCodec codec) {
        this.table = table;
        this.codec = codec;
    }

    @Override
    public void put(Collection<QuarantineEntry> entries) {
        table.put(entries.stream().map(this::row).toList());
    }

    @Override
    public void remove(QuarantineId id) {
        table.remove(id.asString());
    }

    @Override
    public QuarantinePage list(QuarantineFilter filter, Instant now, int offset, int limit) {
        var page = table.page(query(filter, now), offset, limit);
        return new QuarantinePage(page.total(), offset, limit, page.entries().stream().map(codec::read).toList());
    }

    @Override
    public Map<QuarantineReason, Long> counts() {
        Map<QuarantineReason, Long> counts = new EnumMap<>(QuarantineReason.class);
        table.countsByReason().forEach((reason, count) -> QuarantineReason.parse(reason).ifPresent(known -> counts.put(known, count)));
        return counts;
    }

    @Override
    public List<QuarantineId> ids(QuarantineFilter filter, Instant now) {
        return table.ids(query(filter, now)).stream().map(QuarantineId::of).toList();
    }

    static IndexQuery query(QuarantineFilter filter, Instant now) {
        return new IndexQuery(filter.reason().map(QuarantineReason::asString), filter.sender(), filter.recipient(), filter.virus(),
            filter.after(), filter.before(), filter.expiredOnly() ? Optional.of(now) : Optional.empty());
    }

    private IndexedEntry row(QuarantineEntry entry) {
        int released = entry.releasedRecipients().size();
        IndexedEntry.Released state = released == 0 ? IndexedEntry.Released.NONE
            : entry.unreleasedRecipients().isEmpty() ? IndexedEntry.Released.ALL : IndexedEntry.Released.SOME;
        return new IndexedEntry(entry.id().asString(), entry.quarantinedAt(), entry.expiresAt(), entry.reason().asString(), entry.sender(),
            entry.recipients(), entry.virusNames(), entry.subject(), entry.size(), state,
            entry.origin().map(origin -> origin.owner()), entry.origin().map(origin -> origin.mailbox()), codec.write(entry));
    }
}
