/**
 * Runtime policies (issue #21): the default policy and the groups' overrides, validated field by field
 * ({@link dev.bulwark.security.policy.PolicyDocuments}), versioned and audited in the security store
 * ({@link dev.bulwark.security.policy.Policies}), resolved per address with a stated precedence.
 */
package dev.bulwark.security.policy;
