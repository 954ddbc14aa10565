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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matches mail carrying a banned attachment (see {@link AttachmentInspector}), recording why in
 * {@code bulwark.banned.reason}, so that the Quarantine mailet files it as "banned". What could not be
 * inspected (and is not banned for it) is recorded in {@code bulwark.banned.uninspected}, matching or not.
 * Condition:
 * {@code HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;archives:true;encrypted:true;unreadable:false}
 * (each key optional; no condition: the defaults of {@link AttachmentPolicy}).
 */
public class HasBannedAttachment extends GenericMatcher {
    public static final AttributeName REASON = AttributeName.of("bulwark.banned.reason");
    public static final AttributeName UNINSPECTED = AttributeName.of("bulwark.banned.uninspected");
    private static final Logger LOGGER = LoggerFactory.getLogger(HasBannedAttachment.class);

    private AttachmentInspector inspector;

    @Override
    public void init() throws MessagingException {
        try {
            inspector = new AttachmentInspector(AttachmentPolicy.parse(getCondition()));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("mailetcontainer.xml: matcher HasBannedAttachment=" + getCondition() + ": " + e.getMessage()
                + "; expected key:value pairs separated by ';' with keys extensions, types, archives, encrypted, unreadable,"
                + " e.g. HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;archives:true;encrypted:true");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        AttachmentInspector.Report report = inspector.report(mail.getMessage());
        if (!report.uninspected().isEmpty()) {
            String uninspected = String.join("; ", report.uninspected());
            LOGGER.info("Mail {}: attachments not inspected (not banned for it): {}", mail.getName(), uninspected);
            mail.setAttribute(new Attribute(UNINSPECTED, AttributeValue.of(uninspected)));
        }
        if (!report.isBanned()) {
            return List.of();
        }
        mail.setAttribute(new Attribute(REASON, AttributeValue.of(String.join("; ", report.banned()))));
        return mail.getRecipients();
    }
}
