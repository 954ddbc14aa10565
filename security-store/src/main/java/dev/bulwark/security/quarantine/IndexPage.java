package dev.bulwark.security.quarantine;

import java.util.List;

/** One page of rows: {@code total} rows matched; {@code entries} are the entries' JSON, newest first. */
public record IndexPage(long total, List<String> entries) {
    public IndexPage {
        entries = List.copyOf(entries);
    }
}
