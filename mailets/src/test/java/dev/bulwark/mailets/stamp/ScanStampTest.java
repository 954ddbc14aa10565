package dev.bulwark.mailets.stamp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.bulwark.scanner.verdict.MessageContent;

/** What a stamp vouches for, and what it does not. */
class ScanStampTest {
    private static final byte[] KEY = key(1);
    private static final ScanStamp STAMP = new ScanStamp(KEY);
    private static final String OWNER = "alice@bulwark.test";
    private static final String MESSAGE = "From: bob@example.com\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed;\r\n boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1--\r\n";

    @Test
    void aStampedMessageVerifiesAfterJamesAddsAndRemovesHeadersOutsideContent() throws Exception {
        String stamped = stamped(MESSAGE);
        String delivered = "Return-Path: <bob@example.com>\r\nDelivered-To: alice@bulwark.test\r\n"
            + stamped.replace("Subject: invoice\r\n", "").replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nX-Spam-Flag: NO\r\n")
                .replace("multipart/mixed;\r\n boundary", "multipart/mixed;  boundary");
        assertThat(verifies(OWNER, delivered)).isTrue();
        assertThat(verifies("ALICE@bulwark.test", delivered)).as("owners compare case-insensitively").isTrue();
        int body = delivered.indexOf("\r\n\r\n");
        assertThat(verifies(OWNER, delivered.substring(0, body).replace("\r\n", "\n") + "\n\n" + delivered.substring(body + 4)))
            .as("LF line ends in the header block").isTrue();
    }

    @Test
    void aStampCopiedOntoOtherContentOrIntoAnotherMailboxDoesNotVerify() throws Exception {
        String stamped = stamped(MESSAGE);
        assertThat(verifies(OWNER, stamped.replace("hello", "X5O!P%@AP"))).as("another body").isFalse();
        assertThat(verifies(OWNER, stamped.replace("Content-Type: multipart/mixed", "Content-Type: application/x-msdownload")))
            .as("the same body read as something else").isFalse();
        assertThat(verifies(OWNER, stamped.replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n")))
            .as("an encoding added").isFalse();
        assertThat(verifies("mallory@bulwark.test", stamped)).as("another owner").isFalse();
        assertThat(new ScanStamp(key(2)).verifies(OWNER, ScanStamp.digest(stream(stamped)))).as("another server's key").isFalse();
        assertThat(verifies(OWNER, MESSAGE)).as("no stamp").isFalse();
        assertThat(verifies(OWNER, "X-Bulwark-Stamp: v1 AAAA\r\n" + MESSAGE)).as("a made-up stamp").isFalse();
        assertThat(verifies(OWNER, "X-Bulwark-Stamp: clean\r\n" + MESSAGE)).isFalse();
    }

    @Test
    void aHeaderBlockTooLargeToHaveBeenStampedIsNeverVouchedFor() throws Exception {
        String huge = "X-Padding: " + "a".repeat(MessageDigest.MAX_HEADER_BYTES) + "\r\n" + MESSAGE;
        assertThat(STAMP.issue(OWNER, ScanStamp.digest(MessageContent.of(huge.getBytes(StandardCharsets.US_ASCII))))).isEmpty();
    }

    @Test
    void whiteSpaceInsideQuotesCountsOutsideItDoesNot() throws Exception {
        String spaced = MESSAGE.replace("boundary=\"b1\"", "boundary=\"b 1\"").replace("--b1", "--b 1");
        String stamped = stamped(spaced);
        // Re-labelled by its owner: another boundary is another MIME tree, whatever the same body bytes.
        assertThat(verifies(OWNER, stamped.replace("boundary=\"b 1\"", "boundary=\"b  1\""))).isFalse();
        // Folded anew, or with other white space between the parameters: the same header to every reader.
        assertThat(verifies(OWNER, stamped.replace("multipart/mixed;\r\n boundary", "multipart/mixed;   \r\n\t  boundary"))).isTrue();
        assertThat(verifies(OWNER, stamped.replace("multipart/mixed;\r\n boundary", "multipart/mixed; boundary"))).isTrue();
    }

    @Test
    void aHeaderBlockWithABareCarriageReturnIsNeverVouchedFor() throws Exception {
        // A line end to some readers and not to others: a Content-Type one client sees and the digest would not.
        String ambiguous = MESSAGE.replace("Subject: invoice\r\n", "Subject: invoice\rContent-Type: text/html\r\n");
        assertThat(STAMP.issue(OWNER, ScanStamp.digest(stream(ambiguous)))).isEmpty();
    }

    private static String stamped(String message) throws Exception {
        String stamp = STAMP.issue(OWNER, ScanStamp.digest(MessageContent.of(message.getBytes(StandardCharsets.US_ASCII)))).orElseThrow();
        assertThat(stamp).startsWith("v1 ").doesNotContain("\r", "\n");
        return "X-Bulwark-Stamp: " + stamp + "\r\n" + message;
    }

    private static boolean verifies(String owner, String message) throws Exception {
        return STAMP.verifies(owner, ScanStamp.digest(stream(message)));
    }

    private static ByteArrayInputStream stream(String message) {
        return new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }
}
