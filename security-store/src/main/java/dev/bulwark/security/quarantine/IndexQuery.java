package dev.bulwark.security.quarantine;

import java.time.Instant;
import java.util.Optional;

/**
 * Which rows to list, count or name: every criterion is optional, all given ones must hold. Addresses
 * match whole, case-insensitive, or by domain when given as {@code @domain}; {@code virus} matches part of
 * any virus name, case-insensitive; times are [{@code after}, {@code before}) on the stored time;
 * {@code expiredAt} keeps the rows whose expiry is at or before it.
 */
public record IndexQuery(Optional<String> reason, Optional<String> sender, Optional<String> recipient, Optional<String> virus,
                         Optional<Instant> after, Optional<Instant> before, Optional<Instant> expiredAt) {
    public static final IndexQuery ALL = new IndexQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty());
}
