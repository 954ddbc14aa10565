package dev.bulwark.extension.quarantine;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.StoreException;

/** Quarantine actions as security events: who released or deleted what. */
public final class QuarantineEvents {
    public static final String RELEASED = "quarantine.released";
    public static final String DELETED = "quarantine.deleted";
    public static final String EXPIRED = "quarantine.expired";
    private static final Logger LOGGER = LoggerFactory.getLogger(QuarantineEvents.class);

    private QuarantineEvents() {
    }

    /** Records the event; a store failure is logged, not thrown: the action itself already happened. */
    public static void record(SecurityStore security, String kind, QuarantineEntry entry, List<String> recipients, Map<String, String> details) {
        Map<String, String> all = new HashMap<>(details);
        all.put("quarantineId", entry.id().asString());
        all.put("reason", entry.reason().asString());
        if (!entry.virusNames().isEmpty()) {
            all.put("virusNames", String.join(",", entry.virusNames()));
        }
        try {
            security.events().record(SecurityEvent.of(Instant.now(), kind, entry.messageId(), entry.sender(), recipients, all));
        } catch (StoreException e) {
            LOGGER.error("Security event {} for quarantine entry {} not stored: {}", kind, entry.id(), e.getMessage());
        }
    }
}
