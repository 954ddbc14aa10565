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
 * a digest. With runtime policies (docs/policy.md): only when at least one recipient's policy has
 * {@code notices.admin}, in the language of the admin's own policy. Parameters and templates:
 * docs/notifications.md.
 */
public class NotifyAdmin extends NoticeMailet {
    private static final Rules RULES = new Rules(NoticeKind.ADMIN, Set.of("to"), 10);
    private java.util.Optional<MailAddress> to = java.util.Optional.empty();

    /** In Bulwark's James: each notice as the runtime policy (docs/policy.md) of the addresses it concerns says. */
    @Inject
    public NotifyAdmin(SecurityEventSink events, PolicyLookup policies) {
        super(RULES, events, Clock.systemUTC(), java.util.Optional.of(policies));
    }

    /** Without runtime policies: the mailet parameters alone decide. */
    public NotifyAdmin(SecurityEventSink events) {
        super(RULES, events, Clock.systemUTC(), java.util.Optional.empty());
    }

    NotifyAdmin(SecurityEventSink events, Clock clock) {
        super(RULES, events, clock, java.util.Optional.empty());
    }

    NotifyAdmin(SecurityEventSink events, Clock clock, PolicyLookup policies) {
        super(RULES, events, clock, java.util.Optional.of(policies));
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
        if (!mail.getRecipients().isEmpty() && policyFor(admin).isPresent()
            && mail.getRecipients().stream().noneMatch(recipient -> policyFor(recipient).orElseThrow().notices().admin())) {
            suppressed(mail, admin.asString(), "policy: notices.admin is false for every recipient");
            return;
        }
        // The admin reads notices in the language of the admin's own policy.
        notify(mail, admin, policyFor(admin).map(dev.bulwark.security.policy.Policy::language), java.util.Optional.empty());
    }
}
