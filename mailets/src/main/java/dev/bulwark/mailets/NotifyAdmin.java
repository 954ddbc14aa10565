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
    private MailAddress to;

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
        to = Parameters.text(this, "to").isPresent() ? new MailAddress(Parameters.text(this, "to").get()) : getMailetContext().getPostmaster();
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        notify(mail, to);
    }
}
