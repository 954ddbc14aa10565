package dev.bulwark.extension.canary;

import java.util.Date;
import java.util.Properties;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.CanaryCarrier;

/**
 * The carriers of one round, as mail from the null sender to the canary recipient, each with its
 * {@code bulwark.canary} attribute (the only thing that makes it a carrier: a header would be forgeable).
 * The test strings are the industry's harmless ones; the EICAR attachment is a {@code .txt}, so that no
 * attachment rule catches it before the virus scan does.
 */
final class CanaryCarriers {
    /** The 68-byte EICAR test file. */
    static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private CanaryCarriers() {
    }

    /** The James name of a carrier's mail: also its key in the hold repository. */
    static String name(String round, CanaryCarrier carrier) {
        return "bulwark-canary-" + round + "-" + carrier.asString();
    }

    static MailImpl carrier(String round, CanaryCarrier carrier, MailAddress recipient) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom("Bulwark pipeline canary <" + recipient.asString() + ">");
        message.setRecipient(Message.RecipientType.TO, recipient.toInternetAddress().orElseThrow());
        message.setSubject("Bulwark pipeline canary " + round + " (" + carrier.asString() + ")");
        message.setSentDate(new Date());
        message.setHeader("Auto-Submitted", "auto-generated");
        String explanation = "Bulwark's pipeline canary: this message tests that the mail pipeline still judges mail.\r\n"
            + "It is never delivered. Round " + round + ", carrier " + carrier.asString() + ".\r\n";
        switch (carrier) {
            case VIRUS -> {
                MimeBodyPart text = new MimeBodyPart();
                text.setText(explanation, "UTF-8");
                MimeBodyPart attachment = new MimeBodyPart();
                attachment.setText(EICAR, "US-ASCII");
                attachment.setFileName("eicar.txt");
                message.setContent(new MimeMultipart(text, attachment));
            }
            case SPAM -> message.setText(explanation + "\r\n" + GTUBE + "\r\n", "US-ASCII");
            case SCAN_FAILURE -> message.setText(explanation, "US-ASCII");
        }
        message.saveChanges();
        message.setHeader("Message-ID", "<" + name(round, carrier) + "@bulwark.canary>");
        return MailImpl.builder()
            .name(name(round, carrier))
            .sender(MaybeSender.nullSender())
            .addRecipient(recipient)
            .mimeMessage(message)
            .addAttribute(new Attribute(BulwarkAttributes.CANARY, AttributeValue.of(carrier.attributeValue(round))))
            .build();
    }
}
