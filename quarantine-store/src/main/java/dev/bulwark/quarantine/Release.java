package dev.bulwark.quarantine;

import java.time.Instant;
import java.util.List;

/** One release of a quarantined mail: to whom, by whom (webadmin login or client address), when. */
public record Release(List<String> recipients, String releasedBy, Instant releasedAt) {
    public Release {
        recipients = List.copyOf(recipients);
    }
}
