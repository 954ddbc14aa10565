package dev.bulwark.scanner.integrity;

import java.time.Instant;
import java.util.Optional;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * What the integrity probe found about one scanner endpoint.
 *
 * @param daemon        {@code clamd} or {@code spamd}
 * @param condition     HEALTHY; DEGRADED (works, signatures older than allowed); BROKEN (answers but its
 *                      self-test failed: mail would pass "scanned" with nothing detected); DOWN (no answer)
 * @param reason        why, for anything but HEALTHY; what was checked otherwise
 * @param engine        the engine and database version as the daemon reports it
 * @param signatureDate when the signature database was built, when the daemon says so
 */
public record ScannerState(String daemon, Endpoint endpoint, Condition condition, String reason, Optional<String> engine,
                           Optional<Instant> signatureDate, Instant checkedAt) {
    public enum Condition {
        HEALTHY, DEGRADED, BROKEN, DOWN;

        /** Mail may still be scanned by an endpoint in this condition. */
        public boolean usable() {
            return this == HEALTHY || this == DEGRADED;
        }
    }
}
