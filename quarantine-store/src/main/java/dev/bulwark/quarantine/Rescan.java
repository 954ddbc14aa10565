package dev.bulwark.quarantine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The latest rescan of a quarantined mail after a signature update: what clamd says of it now. A
 * {@code clean} verdict on a mail quarantined as suspicious marks it "now clean" for an admin's review
 * (or it was released, when the operator enabled automatic release).
 *
 * @param verdict    clean, infected or suspicious (the lower-case verdict names)
 * @param virusNames what clamd named, for infected or suspicious
 * @param engine     the engine and signature version that gave the verdict, when known
 */
public record Rescan(Instant rescannedAt, String verdict, List<String> virusNames, Optional<String> engine) {
    public Rescan {
        virusNames = List.copyOf(virusNames);
        engine = engine == null ? Optional.empty() : engine;
    }
}
