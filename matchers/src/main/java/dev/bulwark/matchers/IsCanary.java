package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/**
 * Matches the pipeline canary's carriers (attribute {@code bulwark.canary}, set only by Bulwark), first in
 * the transport processor, where {@code CanaryCheckpoint} reports what the pipeline made of them and ends them:
 * <pre>{@code <mailet match="dev.bulwark.matchers.IsCanary" class="dev.bulwark.mailets.CanaryCheckpoint"/>}</pre>
 */
public class IsCanary extends GenericMatcher {
    @Override
    public Collection<MailAddress> match(Mail mail) {
        return mail.getAttribute(BulwarkAttributes.CANARY).isPresent() ? mail.getRecipients() : List.of();
    }
}
