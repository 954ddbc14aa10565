package dev.bulwark.quarantine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One release of a quarantined mail: to whom, by whom (webadmin login or client address), when.
 *
 * @param unscannedReason for held mail released without a verdict: why the admin let it through
 *                        unscanned; empty for every other release
 */
public record Release(List<String> recipients, String releasedBy, Instant releasedAt, Optional<String> unscannedReason) {
    public Release {
        recipients = List.copyOf(recipients);
        // Releases written before held mail could be released unscanned have no such field.
        unscannedReason = unscannedReason == null ? Optional.empty() : unscannedReason;
    }

    public Release(List<String> recipients, String releasedBy, Instant releasedAt) {
        this(recipients, releasedBy, releasedAt, Optional.empty());
    }
}
