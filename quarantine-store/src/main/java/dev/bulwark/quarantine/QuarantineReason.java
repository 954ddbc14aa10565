package dev.bulwark.quarantine;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Why a mail is in the quarantine. The lower-case names are the ones used in config, JSON and filters. */
public enum QuarantineReason {
    VIRUS, SUSPICIOUS, BANNED, SPAM, SCAN_FAILED, POLICY;

    @JsonValue
    public String asString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static QuarantineReason of(String value) {
        return parse(value).orElseThrow(() -> new IllegalArgumentException("unknown reason '" + value + "', expected one of " + names()));
    }

    public static Optional<QuarantineReason> parse(String value) {
        return Arrays.stream(values()).filter(reason -> reason.asString().equalsIgnoreCase(value.trim())).findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(QuarantineReason::asString).toList().toString();
    }
}
