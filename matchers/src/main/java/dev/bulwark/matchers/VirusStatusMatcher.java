package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/** Matches every recipient when the virus verdict Bulwark recorded has the given status. */
abstract class VirusStatusMatcher extends GenericMatcher {
    private final String status;

    VirusStatusMatcher(String status) {
        this.status = status;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        boolean matches = AttributeValues.string(mail, BulwarkAttributes.VIRUS_STATUS)
            .filter(status::equals)
            .isPresent();
        return matches ? mail.getRecipients() : List.of();
    }
}
