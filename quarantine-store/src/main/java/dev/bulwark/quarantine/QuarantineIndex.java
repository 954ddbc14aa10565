package dev.bulwark.quarantine;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What lists, counts and filters the quarantine without reading every entry: one row per entry, written
 * by {@link QuarantineStore} after each write to the repository (stored, released, rescanned, deleted).
 * The repository stays the truth; the index is rebuilt from it by {@link QuarantineStore#reconcile}.
 * Implemented outside this module (the extension keeps it in the security store), so that the quarantine
 * store depends on no database.
 *
 * <p>Every method may throw a {@link RuntimeException} when the index is unreachable; the store then
 * falls back to reading the repository.
 */
public interface QuarantineIndex {
    /** Adds the entries, or replaces those already indexed. */
    void put(Collection<QuarantineEntry> entries);

    void remove(QuarantineId id);

    /** As {@link QuarantineStore#list}: entries matching the filter, newest first (ties by id). */
    QuarantinePage list(QuarantineFilter filter, Instant now, int offset, int limit);

    /** Entries per reason; reasons without an entry may be absent. */
    Map<QuarantineReason, Long> counts();

    /** The ids of the entries matching the filter, in no particular order. */
    List<QuarantineId> ids(QuarantineFilter filter, Instant now);
}
