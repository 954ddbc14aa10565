package dev.bulwark.quarantine;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why a mail is in the quarantine. The lower-case names are the ones used in config, JSON and filters.
 * SCAN_FAILED and UNSCANNABLE are held mail: no scanner judged it (no verdict; a part over clamd's
 * stream limit). Held mail goes back through the pipeline once it can be scanned, or is released
 * unscanned only by an admin who gives a reason.
 */
public enum QuarantineReason {
    VIRUS, SUSPICIOUS, BANNED, SPAM, SCAN_FAILED, POLICY, UNSCANNABLE;

    /** Mail no scanner has judged, held rather than quarantined for something found. */
    public boolean isHeld() {
        return this == SCAN_FAILED || this == UNSCANNABLE;
    }

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
