package dev.bulwark.mailets;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.SenderIsTrusted;
import dev.bulwark.notifications.BackscatterGuard;
import dev.bulwark.notifications.NoticeKind;
import dev.bulwark.security.SecurityEventSink;

/**
 * Tells the sender the message was not delivered, without echoing any of it, and only when the
 * sender cannot be forged ({@link BackscatterGuard}, on unless {@code backscatterGuard=false}): the mail
 * came in an SMTP AUTH session (James's {@code org.apache.james.SMTPAuthUser} attribute) or from an
 * authorised network ({@code org.apache.james.SMTPIsAuthNetwork}, smtpserver.xml's authorizedAddresses),
 * whatever domain the sender claims; never a null sender, list or bulk mail, auto-submitted mail, or a
 * virus known to forge senders ({@code forgingVirusPatterns}, * wildcards). Each refusal is logged and
 * recorded as a {@code notice.suppressed} event with its reason. With runtime policies (docs/policy.md): only
 * about the recipients whose policy has {@code notices.sender} (none: no notice), in the first one's
 * policy's {@code language}.
 */
public class NotifySender extends NoticeMailet {
    private static final Rules RULES = new Rules(NoticeKind.SENDER, Set.of("backscatterGuard", "forgingVirusPatterns"), 5);
    private BackscatterGuard guard;
    private boolean guardOn;

    /** In Bulwark's James: each notice as the runtime policy (docs/policy.md) of the addresses it concerns says. */
    @Inject
    public NotifySender(SecurityEventSink events, PolicyLookup policies) {
        super(RULES, events, Clock.systemUTC(), java.util.Optional.of(policies));
    }

    /** Without runtime policies: the mailet parameters alone decide. */
    public NotifySender(SecurityEventSink events) {
        super(RULES, events, Clock.systemUTC(), java.util.Optional.empty());
    }

    NotifySender(SecurityEventSink events, Clock clock) {
        super(RULES, events, clock, java.util.Optional.empty());
    }

    NotifySender(SecurityEventSink events, Clock clock, PolicyLookup policies) {
        super(RULES, events, clock, java.util.Optional.of(policies));
    }

    @Override
    public void init() throws MessagingException {
        super.init();
        guardOn = Parameters.bool(this, "backscatterGuard", true);
        guard = new BackscatterGuard(Parameters.text(this, "forgingVirusPatterns")
            .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList())
            .orElse(BackscatterGuard.DEFAULT_FORGING_VIRUSES));
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Optional<MailAddress> sender = mail.getMaybeSender().asOptional();
        if (sender.isEmpty()) {
            suppressed(mail, "<>", "null sender");
            return;
        }
        if (guardOn) {
            Optional<String> refusal = guard.refusal(new BackscatterGuard.Facts(
                sender.map(MailAddress::asString),
                // The same notion of a sender the server vouches for as the sample's error processor bounces by.
                SenderIsTrusted.authenticated(mail),
                SenderIsTrusted.fromAuthorisedNetwork(mail),
                Optional.ofNullable(mail.getMessage().getHeader("Precedence", null)),
                mail.getMessage().getHeader("List-Id") != null,
                Optional.ofNullable(mail.getMessage().getHeader("Auto-Submitted", null)),
                virusNames(mail)));
            if (refusal.isPresent()) {
                suppressed(mail, sender.get().asString(), refusal.get());
                return;
            }
        }
        List<MailAddress> told = mail.getRecipients().stream()
            .filter(recipient -> policyFor(recipient).map(policy -> policy.notices().sender()).orElse(true)).toList();
        if (told.isEmpty() && !mail.getRecipients().isEmpty()) {
            suppressed(mail, sender.get().asString(), "policy: notices.sender is false for every recipient");
            return;
        }
        // Recipients whose policy keeps the sender uninformed are not named; the language is the first named one's policy's.
        Optional<String> language = told.stream().findFirst().flatMap(this::policyFor).map(dev.bulwark.security.policy.Policy::language);
        notify(mail, sender.get(), language, told.size() == mail.getRecipients().size() ? Optional.empty() : Optional.of(told));
    }

    private static List<String> virusNames(Mail mail) {
        return mail.getAttribute(BulwarkAttributes.VIRUS_NAMES).map(a -> String.valueOf(a.getValue().value()))
            .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList()).orElse(List.of());
    }
}
