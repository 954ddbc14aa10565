package dev.bulwark.security;

import java.time.Instant;
import java.util.Optional;

/**
 * Which events to read: all criteria optional; {@code recipient} matches one of the event's
 * recipients exactly (case-insensitive); times are [after, before). Newest first, at most {@code limit},
 * skipping the first {@code offset}.
 */
public record EventQuery(Optional<String> kind, Optional<String> messageId, Optional<String> sender, Optional<String> recipient,
                         Optional<Instant> after, Optional<Instant> before, int limit, int offset) {
    public static final int MAX_LIMIT = 1000;

    public EventQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative");
        }
    }

    public EventQuery(Optional<String> kind, Optional<String> messageId, Optional<String> sender, Optional<String> recipient,
                      Optional<Instant> after, Optional<Instant> before, int limit) {
        this(kind, messageId, sender, recipient, after, before, limit, 0);
    }

    public static EventQuery latest(int limit) {
        return new EventQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), limit);
    }
}
