/**
 * The quarantine benchmark (issue #22, {@code scripts/bench.sh --quarantine}): listing, filtering and counting a
 * quarantine of up to 100,000 entries through the index in the security store, the console dashboard's store
 * calls, and the heap after GC as the quarantine grows.
 */
package dev.bulwark.bench.quarantine;
