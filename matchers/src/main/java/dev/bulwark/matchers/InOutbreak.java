package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import dev.bulwark.security.OutbreakDetector;

/**
 * Matches every mail while a virus outbreak is in progress (outbreak.* in bulwark.properties), so that
 * operators can tighten policy during one, e.g. hold all mail with archives:
 * <pre>{@code <mailet match="dev.bulwark.matchers.InOutbreak" class="ToProcessor">...}</pre>
 */
public class InOutbreak extends GenericMatcher {
    private final OutbreakDetector outbreaks;

    @Inject
    public InOutbreak(OutbreakDetector outbreaks) {
        this.outbreaks = outbreaks;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return outbreaks.current().isPresent() ? mail.getRecipients() : List.of();
    }
}
