package dev.bulwark.security.policy;

import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One stored version of one policy: the default's complete document, or a group's override (empty when the
 * group's policy was removed). Versions are numbered across all policies, so "roll back to 12" names one.
 *
 * @param change seed, put, remove, rollback or import
 */
public record PolicyVersion(long version, String scope, Optional<JsonNode> document, String change, Instant changedAt, String changedBy) {
    public static final String DEFAULT_SCOPE = "default";
    private static final String GROUP_PREFIX = "group:";

    public static String groupScope(String group) {
        return GROUP_PREFIX + group;
    }

    /** The group this version belongs to, empty for the default policy. */
    public Optional<String> group() {
        return scope.startsWith(GROUP_PREFIX) ? Optional.of(scope.substring(GROUP_PREFIX.length())) : Optional.empty();
    }
}
