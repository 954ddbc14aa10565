package dev.bulwark.quarantine;

import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The id of a quarantine entry, also its key in the mail repository. Only letters, digits, '-' and '_'
 * are accepted, so an id taken from a URL can never name anything but an entry.
 */
public record QuarantineId(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");

    public QuarantineId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid quarantine id '" + printable(value)
                + "': expected 1 to 128 letters, digits, '-' or '_'");
        }
    }

    @JsonCreator
    public static QuarantineId of(String value) {
        return new QuarantineId(value);
    }

    public static QuarantineId random() {
        return new QuarantineId(UUID.randomUUID().toString());
    }

    @JsonValue
    public String asString() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }

    private static String printable(String value) {
        if (value == null) {
            return "";
        }
        String shown = value.codePoints()
            .map(c -> c < 0x20 || c == 0x7f ? '?' : c)
            .limit(64)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
        return value.length() > 64 ? shown + "..." : shown;
    }
}
