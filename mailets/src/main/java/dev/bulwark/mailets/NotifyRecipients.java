package dev.bulwark.mailets;

import java.time.Clock;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import dev.bulwark.notifications.NoticeKind;
import dev.bulwark.security.SecurityEventSink;

/**
 * Tells each recipient that a message for them was withheld, with the reference to ask for its
 * release. Only local recipients unless {@code localOnly=false} (outbound mail stopped here is the
 * sender's business, not the external recipient's). At most {@code maxPerWindow} (5) per recipient per
 * {@code window}.
 */
public class NotifyRecipients extends NoticeMailet {
    private boolean localOnly;

    @Inject
    public NotifyRecipients(SecurityEventSink events) {
        super(events, Clock.systemUTC());
    }

    NotifyRecipients(SecurityEventSink events, Clock clock) {
        super(events, clock);
    }

    @Override
    NoticeKind kind() {
        return NoticeKind.RECIPIENT;
    }

    @Override
    Set<String> ownParameters() {
        return Set.of("localOnly");
    }

    @Override
    int defaultMaxPerWindow() {
        return 5;
    }

    @Override
    public void init() throws MessagingException {
        super.init();
        localOnly = Parameters.bool(this, "localOnly", true);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        for (MailAddress recipient : mail.getRecipients()) {
            if (localOnly && !getMailetContext().isLocalEmail(recipient)) {
                suppressed(mail, recipient.asString(), "not a local recipient");
                continue;
            }
            notify(mail, recipient);
        }
    }
}
