package dev.bulwark.extension.policy;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.core.MailAddress;

import dev.bulwark.mailets.PolicyLookup;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.policy.Policy;

/**
 * The mailets' policy lookup on the security store: the recipient's effective policy (its winning group's
 * over the default), from the store's snapshot, read again at most once per {@code store.cacheTtl}.
 */
@Singleton
public class StorePolicyLookup implements PolicyLookup {
    private final SecurityStore store;

    @Inject
    public StorePolicyLookup(SecurityStore store) {
        this.store = store;
    }

    @Override
    public Policy policyFor(MailAddress recipient) {
        return store.policies().resolve(recipient.asString()).policy();
    }
}
