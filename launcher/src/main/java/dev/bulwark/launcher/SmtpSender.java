package dev.bulwark.launcher;

import java.io.IOException;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;

/** Hands a message to James over SMTP as another mail server would: from loopback, no authentication. */
final class SmtpSender {
    private final int port;

    SmtpSender(int port) {
        this.port = port;
    }

    /** Sends {@code message} (headers and body, CRLF lines) from {@code from} to {@code to}; throws when James refuses it. */
    void send(String from, String to, String message) throws IOException {
        SMTPClient smtp = new SMTPClient();
        smtp.connect("127.0.0.1", port);
        try {
            expect(smtp, SMTPReply.isPositiveCompletion(smtp.getReplyCode()));
            expect(smtp, SMTPReply.isPositiveCompletion(smtp.helo(BulwarkJames.DOMAIN)));
            expect(smtp, smtp.setSender(from));
            expect(smtp, smtp.addRecipient(to));
            expect(smtp, smtp.sendShortMessageData(message));
            smtp.quit();
        } finally {
            smtp.disconnect();
        }
    }

    private static void expect(SMTPClient smtp, boolean accepted) throws IOException {
        if (!accepted) {
            throw new IOException("James refused the sample mail over SMTP: " + smtp.getReplyString().trim());
        }
    }
}
