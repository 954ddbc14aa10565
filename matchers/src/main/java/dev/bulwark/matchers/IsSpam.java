package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/**
 * Matches mail that spamd judged spam. With a condition ({@code IsSpam=10.0}) it matches only mail
 * whose score is at least that number, whatever spamd's own threshold.
 */
public class IsSpam extends GenericMatcher {
    private Optional<Double> minimumScore = Optional.empty();

    @Override
    public void init() throws MessagingException {
        String condition = getCondition();
        if (condition != null && !condition.isBlank()) {
            try {
                minimumScore = Optional.of(Double.parseDouble(condition.trim()));
            } catch (NumberFormatException e) {
                throw new MessagingException("IsSpam: condition '" + condition + "' is not a score (expected e.g. IsSpam=10.0)");
            }
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        boolean matches = minimumScore
            .map(minimum -> AttributeValues.number(mail, BulwarkAttributes.SPAM_SCORE).filter(score -> score >= minimum).isPresent())
            .orElseGet(() -> AttributeValues.string(mail, BulwarkAttributes.SPAM_STATUS).filter("SPAM"::equals).isPresent());
        return matches ? mail.getRecipients() : List.of();
    }
}
