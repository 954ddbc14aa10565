package dev.bulwark.security.policy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.bulwark.security.OutbreakSettings;

/**
 * The default policy an empty store starts from: what the sample pipeline did before policies were in the
 * store (infected, suspicious, banned, encrypted and damaged mail quarantined, mail nobody could scan held,
 * spam delivered flagged, the admin and the sender told), with the outbreak thresholds of bulwark.properties.
 */
public final class PolicyDefaults {
    private PolicyDefaults() {
    }

    public static Policy builtIn(OutbreakSettings outbreak) {
        Map<PolicyVerdict, PolicyAction> actions = new EnumMap<>(PolicyVerdict.class);
        actions.put(PolicyVerdict.VIRUS, PolicyAction.QUARANTINE);
        actions.put(PolicyVerdict.SUSPICIOUS, PolicyAction.QUARANTINE);
        actions.put(PolicyVerdict.BANNED, PolicyAction.QUARANTINE);
        actions.put(PolicyVerdict.ENCRYPTED, PolicyAction.QUARANTINE);
        actions.put(PolicyVerdict.DAMAGED, PolicyAction.QUARANTINE);
        actions.put(PolicyVerdict.UNSCANNABLE, PolicyAction.HOLD);
        actions.put(PolicyVerdict.SCAN_FAILED, PolicyAction.HOLD);
        return new Policy(actions, false, new Policy.Spam(5.0, Optional.empty(), Optional.empty(), ""), new Policy.Notices(true, true, false),
            new Policy.Banned(List.of(), List.of(), true, 5),
            new Policy.Outbreak(Policy.OutbreakMode.NOTIFY, outbreak.perVirus(), Math.max(outbreak.total(), outbreak.perVirus()), outbreak.window()),
            "en");
    }

    public static ObjectNode builtInDocument(OutbreakSettings outbreak) {
        return PolicyDocuments.render(builtIn(outbreak));
    }
}
