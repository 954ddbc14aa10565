package dev.bulwark.quarantine;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Which quarantine entries to list or delete. Every criterion is optional; all given ones must hold.
 * Addresses match whole (case-insensitive), or by domain when given as {@code @domain}; the virus
 * criterion matches part of any virus name, case-insensitive; times are inclusive-exclusive
 * [{@code after}, {@code before}) on the quarantine time.
 */
public record QuarantineFilter(
    Optional<QuarantineReason> reason,
    Optional<String> sender,
    Optional<String> recipient,
    Optional<String> virus,
    Optional<Instant> after,
    Optional<Instant> before,
    boolean expiredOnly) {

    public static final QuarantineFilter ALL = new QuarantineFilter(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), false);

    public static final QuarantineFilter EXPIRED = new QuarantineFilter(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), true);

    public boolean isEmpty() {
        return this.equals(ALL);
    }

    public boolean matches(QuarantineEntry entry, Instant now) {
        return reason.map(r -> r == entry.reason()).orElse(true)
            && sender.map(s -> entry.sender().filter(actual -> addressMatches(actual, s)).isPresent()).orElse(true)
            && recipient.map(r -> entry.recipients().stream().anyMatch(actual -> addressMatches(actual, r))).orElse(true)
            && virus.map(v -> entry.virusNames().stream().anyMatch(name -> lower(name).contains(lower(v)))).orElse(true)
            && after.map(a -> !entry.quarantinedAt().isBefore(a)).orElse(true)
            && before.map(b -> entry.quarantinedAt().isBefore(b)).orElse(true)
            && (!expiredOnly || entry.isExpired(now));
    }

    private static boolean addressMatches(String actual, String wanted) {
        if (wanted.startsWith("@")) {
            return lower(actual).endsWith(lower(wanted));
        }
        return actual.equalsIgnoreCase(wanted);
    }

    private static String lower(String value) {
        return value.toLowerCase(Locale.ROOT);
    }
}
