/**
 * Runtime policies in the pipeline (issue #21, docs/policy.md): {@code StorePolicyLookup}, the mailets'
 * {@code PolicyLookup} on the security store. The policies are seeded by the store room and edited by the
 * webadmin room's {@code PolicyRoutes}. May depend on security-store and mailets.
 */
package dev.bulwark.extension.policy;
