package dev.bulwark.mailets.stamp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

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

    /** What a reader may skip reading for: the kinds a stamp's text claims, each issued kind claimed as itself. */
    @Test
    void theKindsClaimedAreReadFromTheStampsTextAlone() throws Exception {
        ScanStamp.Digest digest = ScanStamp.digest(MessageContent.of(MESSAGE.getBytes(StandardCharsets.US_ASCII)));
        for (ScanStamp.Kind kind : ScanStamp.Kind.values()) {
            assertThat(ScanStamp.claimed(List.of(STAMP.issue(kind, OWNER, digest).orElseThrow()))).containsExactly(kind);
        }
        assertThat(ScanStamp.claimed(List.of("v2 released forged", " v1 forged "))).containsExactlyInAnyOrder(ScanStamp.Kind.RELEASED,
            ScanStamp.Kind.SCANNED);
        assertThat(ScanStamp.claimed(List.of("v2 admin-approved x", "v3 released x", "clean", ""))).isEmpty();
    }

    @Test
    void aHeaderBlockTooLargeToHaveBeenStampedIsNeverVouchedFor() throws Exception {
        String huge = "X-Padding: " + "a".repeat(MessageDigest.MAX_HEADER_BYTES) + "\r\n" + MESSAGE;
        assertThat(STAMP.issue(ScanStamp.Kind.SCANNED, OWNER, ScanStamp.digest(MessageContent.of(huge.getBytes(StandardCharsets.US_ASCII))))).isEmpty();
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
        assertThat(STAMP.issue(ScanStamp.Kind.SCANNED, OWNER, ScanStamp.digest(stream(ambiguous)))).isEmpty();
    }

    @Test
    void eachKindVerifiesAsItselfOnly() throws Exception {
        for (ScanStamp.Kind kind : ScanStamp.Kind.values()) {
            String stamped = stamped(kind, MESSAGE);
            ScanStamp.Digest digest = ScanStamp.digest(stream(stamped));
            assertThat(STAMP.kinds(OWNER, digest)).as(kind.token()).containsExactly(kind);
            assertThat(STAMP.kinds(OWNER, digest).contains(kind)).isTrue();
            assertThat(STAMP.verifies(OWNER, digest)).as("any valid stamp spares the arrival scan").isTrue();
            assertThat(STAMP.kinds("mallory@bulwark.test", digest)).as("another owner").isEmpty();
        }
    }

    @Test
    void aStampsKindCannotBeSwapped() throws Exception {
        String scanned = STAMP.issue(ScanStamp.Kind.SCANNED, OWNER, digestOf(MESSAGE)).orElseThrow();
        String released = STAMP.issue(ScanStamp.Kind.RELEASED, OWNER, digestOf(MESSAGE)).orElseThrow();
        String scannedMac = scanned.substring("v1 ".length());
        String releasedMac = released.substring("v2 released ".length());
        assertThat(released).startsWith("v2 released ");
        // A clean verdict's HMAC relabelled as an admin's release, and the other way round: neither verifies.
        for (String forged : List.of("v2 released " + scannedMac, "v2 policy-delivered " + releasedMac, "v1 " + releasedMac,
                "v2 scanned " + scannedMac, "v2 released " + scannedMac.toUpperCase(java.util.Locale.ROOT))) {
            ScanStamp.Digest digest = ScanStamp.digest(stream("X-Bulwark-Stamp: " + forged + "\r\n" + MESSAGE));
            assertThat(STAMP.kinds(OWNER, digest)).as(forged).isEmpty();
        }
        // A released stamp copied onto other content is no release of that content.
        assertThat(STAMP.kinds(OWNER, ScanStamp.digest(stream("X-Bulwark-Stamp: " + released + "\r\n" + MESSAGE.replace("hello", "X5O!P%@AP")))))
            .isEmpty();
    }

    @Test
    void aV1StampIssuedBeforeKindsExistedStillVerifiesAsScanned() throws Exception {
        // The HMAC of the first format, computed here independently: v1, the owner, the Content-* headers, the body's SHA-256.
        String contentHeaders = "content-type:multipart/mixed; boundary=\"b1\"\n";
        String body = "--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1--\r\n";
        String bodyHash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
            .digest(body.getBytes(StandardCharsets.US_ASCII)));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
        String v1 = "v1 " + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
            mac.doFinal(("v1\n" + OWNER + "\n" + contentHeaders + "\n" + bodyHash).getBytes(StandardCharsets.UTF_8)));

        ScanStamp.Digest digest = ScanStamp.digest(stream("X-Bulwark-Stamp: " + v1 + "\r\n" + MESSAGE));
        assertThat(STAMP.kinds(OWNER, digest)).containsExactly(ScanStamp.Kind.SCANNED);
        assertThat(STAMP.issue(ScanStamp.Kind.SCANNED, OWNER, digestOf(MESSAGE))).as("scanned stamps are still issued as v1").contains(v1);
    }

    private static ScanStamp.Digest digestOf(String message) throws Exception {
        return ScanStamp.digest(MessageContent.of(message.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String stamped(ScanStamp.Kind kind, String message) throws Exception {
        String stamp = STAMP.issue(kind, OWNER, digestOf(message)).orElseThrow();
        assertThat(stamp).doesNotContain("\r", "\n");
        return "X-Bulwark-Stamp: " + stamp + "\r\n" + message;
    }

    private static String stamped(String message) throws Exception {
        String stamp = STAMP.issue(ScanStamp.Kind.SCANNED, OWNER, ScanStamp.digest(MessageContent.of(message.getBytes(StandardCharsets.US_ASCII)))).orElseThrow();
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
