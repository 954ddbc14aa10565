package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/**
 * Matches the notices Bulwark itself sends (attribute {@code bulwark.notice}, never a header), so that
 * they are not scanned, quarantined or notified about again. First in root:
 * <pre>{@code <mailet match="dev.bulwark.matchers.IsSecurityNotice" class="ToProcessor">
 *     <processor>transport</processor>
 * </mailet>}</pre>
 */
public class IsSecurityNotice extends GenericMatcher {
    public static final AttributeName NOTICE = AttributeName.of("bulwark.notice");

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return mail.getAttribute(NOTICE).isPresent() ? mail.getRecipients() : List.of();
    }
}
