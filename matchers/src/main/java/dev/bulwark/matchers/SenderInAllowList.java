package dev.bulwark.matchers;

import javax.inject.Inject;

import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SenderList;

/**
 * Matches mail whose envelope sender is on the allow list (security store; edited over webadmin at
 * {@code /bulwark/lists/allow}). The null sender never matches. Note that envelope senders can be
 * forged: allow-list domains that sign their mail, or use it only to skip the spam check.
 */
public class SenderInAllowList extends SenderListMatcher {
    @Inject
    public SenderInAllowList(SecurityStore store) {
        super(store, SenderList.ALLOW);
    }
}
