package dev.bulwark.mailets;

import java.time.Instant;
import java.util.Date;
import java.util.Properties;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.MailetContext;

import dev.bulwark.matchers.IsSecurityNotice;

/**
 * Sends one notice the way every Bulwark notice goes out (the notice mailets' and the admin alerts'):
 * plain text, {@code Auto-Submitted: auto-generated}, the null sender so that nothing bounces back to
 * it, and the {@code bulwark.notice} attribute that {@link IsSecurityNotice} lets past the scanners.
 */
public final class SecurityNoticeMail {
    private SecurityNoticeMail() {
    }

    /** @param kind the {@code bulwark.notice} value: admin, recipient, sender, digest, alert */
    public static void send(MailetContext context, MailAddress from, MailAddress to, String kind, String subject, String body,
                            Instant sentAt) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(from.toInternetAddress().orElseThrow());
        message.setRecipient(Message.RecipientType.TO, to.toInternetAddress().orElseThrow());
        message.setSubject(subject, "UTF-8");
        message.setText(body, "UTF-8");
        message.setHeader("Auto-Submitted", "auto-generated");
        message.setHeader("X-Auto-Response-Suppress", "All");
        message.setSentDate(Date.from(sentAt));
        message.saveChanges();
        MailImpl notice = MailImpl.builder()
            .name(MailImpl.getId())
            .sender(MaybeSender.nullSender())
            .addRecipient(to)
            .mimeMessage(message)
            .addAttribute(new Attribute(IsSecurityNotice.NOTICE, AttributeValue.of(kind)))
            .build();
        try {
            context.sendMail(notice);
        } finally {
            notice.dispose();
        }
    }
}
