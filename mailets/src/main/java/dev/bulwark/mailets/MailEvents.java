package dev.bulwark.mailets;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import dev.bulwark.security.SecurityEvent;

/** Security events about one mail: its Message-ID, envelope sender and recipients, and the mail's James name. */
final class MailEvents {
    /** The detail naming the canary carrier and round on a canary's events. */
    static final String CANARY_DETAIL = "canary";

    private MailEvents() {
    }

    static SecurityEvent of(Mail mail, String kind, Map<String, String> details) {
        Map<String, String> all = new java.util.HashMap<>(details);
        all.put("mail", mail.getName());
        // The canary's events go to the canary watch, never into the statistics (EventFanOut reads this).
        mail.getAttribute(dev.bulwark.matchers.BulwarkAttributes.CANARY)
            .ifPresent(canary -> all.put(CANARY_DETAIL, String.valueOf(canary.getValue().value())));
        return SecurityEvent.of(Instant.now(), kind, messageId(mail), mail.getMaybeSender().asOptional().map(MailAddress::asString),
            mail.getRecipients().stream().map(MailAddress::asString).toList(), all);
    }

    private static Optional<String> messageId(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage().getHeader("Message-ID", null)).map(String::trim);
        } catch (MessagingException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
