package dev.bulwark.security.policy;

import java.util.EnumSet;
import java.util.Set;

/**
 * The verdicts a policy sets an action for, with the actions each allows: stripping needs a part to
 * remove, holding needs a verdict a later scan can change, and mail nobody could scan is delivered only
 * where {@code actions.allowUnscannedDelivery} says so explicitly.
 */
public enum PolicyVerdict {
    VIRUS("virus", EnumSet.of(PolicyAction.QUARANTINE, PolicyAction.REJECT, PolicyAction.STRIP), false),
    SUSPICIOUS("suspicious", EnumSet.of(PolicyAction.QUARANTINE, PolicyAction.REJECT, PolicyAction.STRIP, PolicyAction.DELIVER_TAGGED), false),
    // Strip removes the parts the attachment check found the findings in (an archive: the whole archive), or for content
    // clamd found encrypted the parts clamd calls so; findings not in one part keep the mail in the quarantine only.
    BANNED("banned", EnumSet.of(PolicyAction.QUARANTINE, PolicyAction.REJECT, PolicyAction.STRIP, PolicyAction.DELIVER_TAGGED), false),
    ENCRYPTED("encrypted", EnumSet.of(PolicyAction.QUARANTINE, PolicyAction.REJECT, PolicyAction.STRIP, PolicyAction.DELIVER_TAGGED, PolicyAction.HOLD), false),
    DAMAGED("damaged", EnumSet.of(PolicyAction.QUARANTINE, PolicyAction.REJECT, PolicyAction.STRIP, PolicyAction.DELIVER_TAGGED, PolicyAction.HOLD), false),
    UNSCANNABLE("unscannable", EnumSet.of(PolicyAction.HOLD, PolicyAction.QUARANTINE, PolicyAction.REJECT, PolicyAction.DELIVER_TAGGED), true),
    SCAN_FAILED("scanFailed", EnumSet.of(PolicyAction.HOLD, PolicyAction.REJECT, PolicyAction.DELIVER_TAGGED), true);

    private final String field;
    private final Set<PolicyAction> allowed;
    private final boolean unscanned;

    PolicyVerdict(String field, Set<PolicyAction> allowed, boolean unscanned) {
        this.field = field;
        this.allowed = allowed;
        this.unscanned = unscanned;
    }

    /** The field's name under {@code actions}. */
    public String field() {
        return field;
    }

    public Set<PolicyAction> allowed() {
        return allowed;
    }

    /** Mail with this verdict was not scanned: delivering it needs {@code actions.allowUnscannedDelivery}. */
    public boolean unscanned() {
        return unscanned;
    }
}
