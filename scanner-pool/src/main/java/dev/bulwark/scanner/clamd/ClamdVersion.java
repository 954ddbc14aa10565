package dev.bulwark.scanner.clamd;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

import dev.bulwark.scanner.wire.Printable;

/**
 * clamd's VERSION reply: {@code ClamAV 1.4.6} with only custom databases, or
 * {@code ClamAV 1.4.6/27450/Sun Nov 22 09:30:00 2026} with official ones (database version and build
 * time, which the integrity watch uses for signature age).
 */
public record ClamdVersion(String engine, Optional<Long> databaseVersion, Optional<Instant> databaseDate) {
    // ctime(3) format; clamd prints the daily database's build time in UTC.
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    public static ClamdVersion parse(String reply) throws IOException {
        if (!reply.startsWith("ClamAV ")) {
            throw new IOException("unexpected VERSION reply '" + Printable.of(reply) + "'");
        }
        String[] parts = reply.split("/", 3);
        try {
            return new ClamdVersion(parts[0].trim(),
                parts.length > 1 ? Optional.of(Long.parseLong(parts[1].trim())) : Optional.empty(),
                parts.length > 2 ? Optional.of(LocalDateTime.parse(parts[2].trim(), CTIME).toInstant(ZoneOffset.UTC)) : Optional.empty());
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IOException("unexpected VERSION reply '" + Printable.of(reply) + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return engine + databaseVersion.map(v -> "/" + v).orElse("");
    }
}
