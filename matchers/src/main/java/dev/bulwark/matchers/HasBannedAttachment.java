package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/**
 * Matches mail carrying a banned attachment (see {@link AttachmentInspector}), recording why in
 * {@code bulwark.banned.reason}, so that the Quarantine mailet files it as "banned". Condition:
 * {@code HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;archives:true;encrypted:true}
 * (each key optional; no condition: the defaults of {@link AttachmentPolicy}).
 */
public class HasBannedAttachment extends GenericMatcher {
    public static final AttributeName REASON = AttributeName.of("bulwark.banned.reason");

    private AttachmentInspector inspector;

    @Override
    public void init() throws MessagingException {
        try {
            inspector = new AttachmentInspector(AttachmentPolicy.parse(getCondition()));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("mailetcontainer.xml: matcher HasBannedAttachment=" + getCondition() + ": " + e.getMessage()
                + "; expected e.g. HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;archives:true;encrypted:true");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        List<String> reasons = inspector.inspect(mail.getMessage());
        if (reasons.isEmpty()) {
            return List.of();
        }
        mail.setAttribute(new Attribute(REASON, AttributeValue.of(String.join("; ", reasons))));
        return mail.getRecipients();
    }
}
