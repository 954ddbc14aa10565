package dev.bulwark.mailets;

import java.io.IOException;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;

import dev.bulwark.scanner.verdict.MessageContent;

/** Streams a James mail's MIME message to a scanner without copying it into memory first. */
final class MailContent {
    private MailContent() {
    }

    static MessageContent of(Mail mail) {
        return out -> {
            try {
                mail.getMessage().writeTo(out);
            } catch (MessagingException e) {
                throw new IOException("cannot read message " + mail.getName() + ": " + e.getMessage(), e);
            }
        };
    }
}
