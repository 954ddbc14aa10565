package dev.bulwark.quarantine;

/**
 * What a reconciliation of the index with the repository found and did.
 *
 * @param entries   entries in the repository
 * @param added     entries the index lacked, now indexed
 * @param rewritten entries indexed again as they are (a full reindex rewrites every row)
 * @param removed   index rows without an entry, now removed
 */
public record Reconciliation(long entries, long added, long rewritten, long removed) {
}
