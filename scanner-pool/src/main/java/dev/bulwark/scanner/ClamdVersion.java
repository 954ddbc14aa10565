package dev.bulwark.scanner;

import java.io.IOException;
import java.util.Optional;

/**
 * clamd's VERSION reply: {@code ClamAV 1.4.6} with only custom databases, or
 * {@code ClamAV 1.4.6/27450/Sun Nov 22 09:30:00 2026} with official ones.
 */
public record ClamdVersion(String engine, Optional<String> databaseVersion, Optional<String> databaseDate) {

    static ClamdVersion parse(String reply) throws IOException {
        if (!reply.startsWith("ClamAV ")) {
            throw new IOException("unexpected VERSION reply '" + ClamdReplies.printable(reply) + "'");
        }
        String[] parts = reply.split("/", 3);
        return new ClamdVersion(parts[0].trim(),
            parts.length > 1 ? Optional.of(parts[1].trim()) : Optional.empty(),
            parts.length > 2 ? Optional.of(parts[2].trim()) : Optional.empty());
    }

    @Override
    public String toString() {
        return engine + databaseVersion.map(v -> "/" + v).orElse("");
    }
}
