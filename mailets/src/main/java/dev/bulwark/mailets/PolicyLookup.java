package dev.bulwark.mailets;

import org.apache.james.core.MailAddress;

import dev.bulwark.security.policy.Policy;

/**
 * The runtime policy that applies to mail for one recipient (docs/policy.md). The extension implements it
 * on the security store; the mailets only ask.
 */
public interface PolicyLookup {
    Policy policyFor(MailAddress recipient);
}
