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
 * Tells the administrator (parameter {@code to}, default James's postmaster) what was withheld and how to
 * act on it over webadmin. At most {@code maxPerWindow} (10) notices per {@code window} (1 minute), then
 * a digest. Parameters and templates: docs/notifications.md.
 */
public class NotifyAdmin extends NoticeMailet {
    private java.util.Optional<MailAddress> to = java.util.Optional.empty();

    @Inject
    public NotifyAdmin(SecurityEventSink events) {
        super(events, Clock.systemUTC());
    }

    NotifyAdmin(SecurityEventSink events, Clock clock) {
        super(events, clock);
    }

    @Override
    NoticeKind kind() {
        return NoticeKind.ADMIN;
    }

    @Override
    Set<String> ownParameters() {
        return Set.of("to");
    }

    @Override
    int defaultMaxPerWindow() {
        return 10;
    }

    @Override
    public void init() throws MessagingException {
        super.init();
        if (Parameters.text(this, "to").isPresent()) {
            to = java.util.Optional.of(new MailAddress(Parameters.text(this, "to").get()));
        }
    }

    /** The postmaster is asked for at each notice: James's context knows it only once it is running. */
    @Override
    public void service(Mail mail) throws MessagingException {
        MailAddress admin = to.orElseGet(() -> getMailetContext().getPostmaster());
        if (admin == null) {
            suppressed(mail, "postmaster", "no postmaster configured (mailetcontainer.xml <context><postmaster>) and no 'to' parameter");
            return;
        }
        notify(mail, admin);
    }
}
