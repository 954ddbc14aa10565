package dev.bulwark.quarantine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * JSON for entries: how they are kept in the mail attribute and how webadmin shows them. Unknown fields
 * are ignored on reading, so entries written by a newer Bulwark stay readable after a downgrade.
 */
public final class QuarantineEntryCodec {
    private final ObjectMapper mapper = new ObjectMapper()
        .registerModule(new Jdk8Module())
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ObjectMapper mapper() {
        return mapper;
    }

    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public QuarantineEntry read(String json) {
        try {
            return mapper.readValue(json, QuarantineEntry.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable quarantine entry: " + e.getOriginalMessage(), e);
        }
    }
}
