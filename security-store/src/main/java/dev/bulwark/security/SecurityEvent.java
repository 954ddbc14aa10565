package dev.bulwark.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Something that happened to mail or to the scanners: a verdict, a quarantine, a release, a notice
 * sent or suppressed, a scanner state change, an outbreak. {@code id} is 0 until stored.
 *
 * @param kind    what happened, dotted lower case, e.g. {@code quarantine.released}, {@code scanner.down}
 * @param details anything else worth keeping, as text (virus names, released by, reason...)
 * @param node    the James node that recorded it (host name by default)
 */
public record SecurityEvent(long id, Instant time, String kind, Optional<String> messageId, Optional<String> sender,
                            List<String> recipients, Map<String, String> details, String node) {
    public SecurityEvent {
        if (kind == null || !kind.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*") || kind.length() > 64) {
            throw new IllegalArgumentException("event kind '" + kind + "' must be dotted lower case, e.g. quarantine.released");
        }
        recipients = List.copyOf(recipients);
        details = Map.copyOf(new TreeMap<>(details));
    }

    public static SecurityEvent of(Instant time, String kind, Optional<String> messageId, Optional<String> sender,
                                   List<String> recipients, Map<String, String> details) {
        return new SecurityEvent(0, time, kind, messageId, sender, recipients, details, "");
    }

    SecurityEvent stored(long id, String node) {
        return new SecurityEvent(id, time, kind, messageId, sender, recipients, details, node);
    }
}
