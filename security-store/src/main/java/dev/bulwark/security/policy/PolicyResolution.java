package dev.bulwark.security.policy;

import java.util.List;
import java.util.Optional;

/**
 * The policy that applies to one address, and why: the groups it is in, those of them that have a policy,
 * and the one that won (highest priority, then the first name in alphabetical order), or none (the default).
 *
 * @param version the version of the winning group's policy, or of the default ({@link Policies#BUILT_IN_VERSION} when the
 *                built-in default is in force because the stored one is not valid)
 */
public record PolicyResolution(String address, Policy policy, Optional<String> group, int priority, List<String> groups,
                               List<String> groupsWithPolicy, String reason, long version) {
    public PolicyResolution {
        groups = List.copyOf(groups);
        groupsWithPolicy = List.copyOf(groupsWithPolicy);
    }
}
