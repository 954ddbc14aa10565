package dev.bulwark.matchers;

import java.util.Collection;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import dev.bulwark.security.Groups;
import dev.bulwark.security.SecurityStore;

/**
 * {@code RecipientInGroup=finance}: matches the recipients who belong to the group (users or whole
 * domains, kept in the security store and edited at {@code /bulwark/groups}). James splits the mail
 * when only some recipients match, so each group gets its own processing: the "client groups" of the
 * enterprise products.
 */
public class RecipientInGroup extends GenericMatcher {
    private final SecurityStore store;
    private String group;

    @Inject
    public RecipientInGroup(SecurityStore store) {
        this.store = store;
    }

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition().trim();
        try {
            group = Groups.checkName(condition);
        } catch (IllegalArgumentException e) {
            throw new MessagingException("mailetcontainer.xml: matcher RecipientInGroup=" + condition + ": " + e.getMessage()
                + "; write RecipientInGroup=<group name>");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return mail.getRecipients().stream().filter(recipient -> store.groups().contains(group, recipient.asString())).toList();
    }
}
