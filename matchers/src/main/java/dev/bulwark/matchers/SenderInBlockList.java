package dev.bulwark.matchers;

import javax.inject.Inject;

import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SenderList;

/** Matches mail whose envelope sender is on the block list ({@code /bulwark/lists/block}). */
public class SenderInBlockList extends SenderListMatcher {
    @Inject
    public SenderInBlockList(SecurityStore store) {
        super(store, SenderList.BLOCK);
    }
}
