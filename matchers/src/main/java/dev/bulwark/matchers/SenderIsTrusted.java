package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/**
 * Matches mail whose sender the server itself vouches for, so that only such a sender is ever written to about
 * it: the mail came in an SMTP AUTH session (James's {@code org.apache.james.SMTPAuthUser} attribute) or from an
 * authorised network ({@code org.apache.james.SMTPIsAuthNetwork}, smtpserver.xml's authorizedAddresses), and it
 * has a sender. Any other sender may be forged, and mail to it is backscatter. NotifySender's notion of a sender
 * it may notify, and the sample error processor's of a sender it may bounce to:
 * <pre>{@code <mailet match="dev.bulwark.matchers.SenderIsTrusted" class="Bounce"/>}</pre>
 */
public class SenderIsTrusted extends GenericMatcher {
    /** Set by James's SMTP server (true) when the client may relay: an authorised network, or after SMTP AUTH. */
    public static final AttributeName AUTHORISED_NETWORK = AttributeName.of("org.apache.james.SMTPIsAuthNetwork");

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return mail.getMaybeSender().asOptional().isPresent() && (authenticated(mail) || fromAuthorisedNetwork(mail))
            ? mail.getRecipients() : List.of();
    }

    /** The mail came in an SMTP AUTH session. */
    public static boolean authenticated(Mail mail) {
        return mail.getAttribute(Mail.SMTP_AUTH_USER).isPresent();
    }

    /** The mail came from a client in an authorised network. */
    public static boolean fromAuthorisedNetwork(Mail mail) {
        return mail.getAttribute(AUTHORISED_NETWORK).map(attribute -> attribute.getValue().value()).filter(Boolean.TRUE::equals).isPresent();
    }
}
