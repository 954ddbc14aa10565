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

import dev.bulwark.matchers.attachments.AttachmentInspector;
import dev.bulwark.matchers.attachments.AttachmentPolicy;
import dev.bulwark.security.LogText;

/**
 * Matches mail carrying a banned attachment (see {@link AttachmentInspector}), and mail the attachment
 * check calls suspicious, recording why: {@code bulwark.banned.reason} (the Quarantine mailet files the
 * mail as "banned") or {@code bulwark.banned.suspicious} (filed as "suspicious"). Findings the policy lets
 * pass are recorded in {@code bulwark.banned.uninspected}, matching or not. Condition:
 * {@code HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;archives:true;encrypted:ban;uninspectable:ban;damaged:suspicious;unopened:deliver}
 * (each key optional; no condition: the defaults of {@link AttachmentPolicy}).
 */
public class HasBannedAttachment extends GenericMatcher {
    public static final AttributeName REASON = AttributeName.of("bulwark.banned.reason");
    public static final AttributeName SUSPICIOUS = AttributeName.of("bulwark.banned.suspicious");
    public static final AttributeName UNINSPECTED = AttributeName.of("bulwark.banned.uninspected");
    private static final Logger LOGGER = LoggerFactory.getLogger(HasBannedAttachment.class);

    private AttachmentInspector inspector;

    @Override
    public void init() throws MessagingException {
        try {
            inspector = new AttachmentInspector(AttachmentPolicy.parse(getCondition()));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("mailetcontainer.xml: matcher HasBannedAttachment=" + getCondition() + ": " + e.getMessage()
                + "; expected key:value pairs separated by ';' with keys extensions, types, archives, encrypted, uninspectable, damaged,"
                + " unopened, e.g. HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;encrypted:ban;uninspectable:ban");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        AttachmentInspector.Report report = inspector.report(mail.getMessage());
        if (!report.uninspected().isEmpty()) {
            String uninspected = String.join("; ", report.uninspected());
            LOGGER.info("Mail {}: attachments not inspected (delivered by the policy): {}", mail.getName(), LogText.of(uninspected));
            mail.setAttribute(new Attribute(UNINSPECTED, AttributeValue.of(uninspected)));
        }
        if (report.isSuspicious()) {
            mail.setAttribute(new Attribute(SUSPICIOUS, AttributeValue.of(String.join("; ", report.suspicious()))));
        }
        if (report.isBanned()) {
            mail.setAttribute(new Attribute(REASON, AttributeValue.of(String.join("; ", report.banned()))));
        }
        return report.isBanned() || report.isSuspicious() ? mail.getRecipients() : List.of();
    }
}
