package dev.bulwark.security.policy;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A policy version as the history shows it: the version and the document it replaced (empty for a policy's
 * first version, or when the version before it removed the group's policy).
 */
public record PolicyChange(PolicyVersion version, Optional<JsonNode> before) {
}
