package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import dev.bulwark.quarantine.QuarantineStore;

/**
 * Matches mail an admin released from the quarantine, so that it can skip the scanners it already
 * failed. Only Bulwark's release sets the attribute it reads ({@code bulwark.quarantine.released});
 * mail attributes never come from the network, so a sender cannot forge it.
 * <pre>{@code <mailet match="dev.bulwark.matchers.IsReleasedFromQuarantine" class="ToProcessor">
 *     <processor>transport</processor>
 * </mailet>}</pre>
 */
public class IsReleasedFromQuarantine extends GenericMatcher {
    @Override
    public Collection<MailAddress> match(Mail mail) {
        return mail.getAttribute(QuarantineStore.RELEASED).isPresent() ? mail.getRecipients() : List.of();
    }
}
