package dev.bulwark.security.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What happens to mail with a given verdict, for the recipients a policy applies to. */
public enum PolicyAction {
    /** Kept in the quarantine, never delivered. */
    QUARANTINE("quarantine"),
    /** Refused during the SMTP transaction (only where the SMTP-time scan runs; in the pipeline: quarantined). */
    REJECT("reject"),
    /** The offending parts removed (and kept in the quarantine), the rest delivered. */
    STRIP("strip"),
    /** Delivered, with the verdict in its headers. */
    DELIVER_TAGGED("deliver-tagged"),
    /** Held beside the quarantine until it can be scanned, or an admin releases it. */
    HOLD("hold");

    private final String wire;

    PolicyAction(String wire) {
        this.wire = wire;
    }

    public String asString() {
        return wire;
    }

    public static Optional<PolicyAction> parse(String value) {
        return Arrays.stream(values()).filter(action -> action.wire.equals(value)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(PolicyAction::asString).toList();
    }

    @Override
    public String toString() {
        return wire;
    }
}
