package dev.bulwark.it;

import java.io.IOException;
import java.io.Writer;
import java.util.Base64;
import java.util.Random;

import org.apache.commons.net.smtp.SMTPClient;

/**
 * Big mail for the tests, written to the SMTP connection as it is generated: a 28 MB message is never
 * held whole in the test's memory.
 */
final class BigMessages {
    static final String BOUNDARY = "big";

    private BigMessages() {
    }

    /** Writes the parts of a multipart/mixed body; {@link #part} starts each one. */
    interface Body {
        void write(Writer out) throws IOException;
    }

    /** The server's last reply, and the message's size in characters. */
    record Reply(int code, String text, long size) {
        boolean accepted() {
            return code == 250;
        }
    }

    static Reply send(int smtpPort, String sender, String recipient, String subject, Body body) throws IOException {
        SMTPClient smtp = new SMTPClient();
        smtp.connect("127.0.0.1", smtpPort);
        try {
            smtp.helo("outside.test");
            if (!smtp.setSender(sender) || !smtp.addRecipient(recipient)) {
                return new Reply(smtp.getReplyCode(), smtp.getReplyString(), 0);
            }
            CountingWriter out;
            try (Writer data = smtp.sendMessageData()) {
                if (data == null) {
                    return new Reply(smtp.getReplyCode(), smtp.getReplyString(), 0);
                }
                out = new CountingWriter(data);
                out.write("From: " + sender + "\r\nTo: " + recipient + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.replace(' ', '-')
                    + "." + System.nanoTime() + "@outside.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\""
                    + BOUNDARY + "\"\r\n\r\n");
                body.write(out);
                out.write("\r\n--" + BOUNDARY + "--\r\n");
            }
            smtp.completePendingCommand();
            return new Reply(smtp.getReplyCode(), smtp.getReplyString(), out.count);
        } finally {
            smtp.disconnect();
        }
    }

    static void part(Writer out, String type, String fileName, String encoding) throws IOException {
        out.write("\r\n--" + BOUNDARY + "\r\nContent-Type: " + type + (fileName == null ? "" : "; name=\"" + fileName + "\"") + "\r\n"
            + (fileName == null ? "" : "Content-Disposition: attachment; filename=\"" + fileName + "\"\r\n")
            + "Content-Transfer-Encoding: " + encoding + "\r\n\r\n");
    }

    /** {@code size} random bytes as base64 lines of 76 characters. */
    static void base64(Writer out, Random random, long size) throws IOException {
        byte[] line = new byte[57];
        Base64.Encoder encoder = Base64.getEncoder();
        for (long written = 0; written < size; written += line.length) {
            byte[] chunk = written + line.length <= size ? line : new byte[(int) (size - written)];
            random.nextBytes(chunk);
            out.write(encoder.encodeToString(chunk));
            out.write("\r\n");
        }
    }

    /** Plain text lines, 7bit, until at least {@code size} characters. */
    static void text(Writer out, long size) throws IOException {
        String line = "a line of a very long log file, written out in plain text for everyone to read ..........\r\n";
        for (long written = 0; written < size; written += line.length()) {
            out.write(line);
        }
    }

    private static final class CountingWriter extends Writer {
        private final Writer out;
        long count;

        CountingWriter(Writer out) {
            this.out = out;
        }

        @Override
        public void write(char[] chars, int offset, int length) throws IOException {
            count += length;
            out.write(chars, offset, length);
        }

        @Override
        public void write(String text) throws IOException {
            count += text.length();
            out.write(text);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
