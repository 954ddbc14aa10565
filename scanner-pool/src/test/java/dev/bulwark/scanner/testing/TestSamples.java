package dev.bulwark.scanner.testing;

/** The industry's harmless test strings, and mail built around them. */
public final class TestSamples {
    /** The 68-byte EICAR anti-virus test file. */
    public static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    /** SpamAssassin's Generic Test for Unsolicited Bulk Email: always scores 1000. */
    public static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private TestSamples() {
    }

    public static String plainMessage(String from, String to, String subject, String body) {
        return "From: " + from + "\r\n"
            + "To: " + to + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <" + Integer.toHexString(subject.hashCode()) + "." + System.nanoTime() + "@bulwark.test>\r\n"
            + "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n"
            + body + "\r\n";
    }

    /** A multipart message with {@code attachment} base64-encoded as a file named {@code fileName}. */
    public static String messageWithAttachment(String from, String to, String subject, String fileName, byte[] attachment) {
        String boundary = "bulwark-boundary-42";
        String encoded = java.util.Base64.getMimeEncoder(76, "\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(attachment);
        return "From: " + from + "\r\n"
            + "To: " + to + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <att." + System.nanoTime() + "@bulwark.test>\r\n"
            + "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n"
            + "\r\n"
            + "--" + boundary + "\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n"
            + "Please find the file attached.\r\n"
            + "--" + boundary + "\r\n"
            + "Content-Type: application/octet-stream; name=\"" + fileName + "\"\r\n"
            + "Content-Disposition: attachment; filename=\"" + fileName + "\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + encoded + "\r\n"
            + "--" + boundary + "--\r\n";
    }
}
