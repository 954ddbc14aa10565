package dev.bulwark.quarantine;

import java.util.List;

/** One page of a listing: {@code total} entries matched, these are {@code entries} from {@code offset}. */
public record QuarantinePage(long total, int offset, int limit, List<QuarantineEntry> entries) {
    public QuarantinePage {
        entries = List.copyOf(entries);
    }
}
