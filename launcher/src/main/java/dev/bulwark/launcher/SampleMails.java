package dev.bulwark.launcher;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The main job's three sample mails: a clean one, spam (GTUBE in the body) and a virus (EICAR attached). */
final class SampleMails {
    static final String SENDER = "newsletter@example.com";
    /**
     * The industry's harmless test strings, kept base64-encoded (as Bulwark's own self-test keeps them) so
     * that this jar is not itself a file a virus or spam scanner flags.
     */
    static final byte[] EICAR = Base64.getDecoder().decode(
        "WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=");
    static final String GTUBE = new String(Base64.getDecoder().decode(
        "WEpTKkM0SkRCUUFETjEuTlNCTjMqMklETkVOKkdUVUJFLVNUQU5EQVJELUFOVEktVUJFLVRFU1QtRU1BSUwqQy4zNFg="), StandardCharsets.US_ASCII);

    private SampleMails() {
    }

    static String clean(String to) {
        return plain(to, "Lunch on Friday", "Noon at the usual place?");
    }

    static String spam(String to) {
        return plain(to, "You have won", GTUBE);
    }

    static String virus(String to) {
        String boundary = "bulwark-boundary-42";
        String encoded = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(EICAR);
        return headers(to, "Your invoice", "<att." + System.nanoTime() + "@bulwark.test>")
            + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n"
            + "\r\n"
            + "--" + boundary + "\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n"
            + "Please find the file attached.\r\n"
            + "--" + boundary + "\r\n"
            + "Content-Type: application/octet-stream; name=\"invoice.com\"\r\n"
            + "Content-Disposition: attachment; filename=\"invoice.com\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + encoded + "\r\n"
            + "--" + boundary + "--\r\n";
    }

    private static String plain(String to, String subject, String body) {
        return headers(to, subject, "<" + Integer.toHexString(subject.hashCode()) + "." + System.nanoTime() + "@bulwark.test>")
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n"
            + body + "\r\n";
    }

    private static String headers(String to, String subject, String messageId) {
        return "From: " + SENDER + "\r\n"
            + "To: " + to + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n";
    }
}
