package dev.bulwark.security.quarantine;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One quarantine entry as the index keeps it: the fields filters and counts use, and the entry itself as
 * the quarantine store writes it ({@code json}), returned as it is by a listing.
 *
 * @param reason     the reason's name (virus, spam, scan-failed...)
 * @param sender     the envelope sender; empty for the null sender
 * @param released   none, some or all of the recipients released
 * @param originOwner   whose mailbox the message was taken out of; empty for mail stopped in the pipeline
 * @param originMailbox which mailbox; empty with {@code originOwner}
 */
public record IndexedEntry(String id, Instant storedAt, Instant expiresAt, String reason, Optional<String> sender,
                           List<String> recipients, List<String> virusNames, Optional<String> subject, long size,
                           Released released, Optional<String> originOwner, Optional<String> originMailbox, String json) {
    public IndexedEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(json, "json");
        recipients = List.copyOf(recipients);
        virusNames = List.copyOf(virusNames);
    }

    /** How much of an entry has been released. */
    public enum Released {
        NONE, SOME, ALL;

        public String asString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
