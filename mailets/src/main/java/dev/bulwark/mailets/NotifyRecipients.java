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
 * {@code window}. With runtime policies (docs/policy.md): only recipients whose policy has
 * {@code notices.recipients}, each in its policy's {@code language}.
 */
public class NotifyRecipients extends NoticeMailet {
    private static final Rules RULES = new Rules(NoticeKind.RECIPIENT, Set.of("localOnly"), 5);
    private boolean localOnly;

    /** In Bulwark's James: each notice as the runtime policy (docs/policy.md) of the addresses it concerns says. */
    @Inject
    public NotifyRecipients(SecurityEventSink events, PolicyLookup policies) {
        super(RULES, events, Clock.systemUTC(), java.util.Optional.of(policies));
    }

    /** Without runtime policies: the mailet parameters alone decide. */
    public NotifyRecipients(SecurityEventSink events) {
        super(RULES, events, Clock.systemUTC(), java.util.Optional.empty());
    }

    NotifyRecipients(SecurityEventSink events, Clock clock) {
        super(RULES, events, clock, java.util.Optional.empty());
    }

    NotifyRecipients(SecurityEventSink events, Clock clock, PolicyLookup policies) {
        super(RULES, events, clock, java.util.Optional.of(policies));
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
            java.util.Optional<dev.bulwark.security.policy.Policy> policy = policyFor(recipient);
            if (policy.isPresent() && !policy.get().notices().recipients()) {
                suppressed(mail, recipient.asString(), "policy: notices.recipients is false");
                continue;
            }
            notify(mail, recipient, policy.map(dev.bulwark.security.policy.Policy::language), java.util.Optional.empty());
        }
    }
}
