package dev.bulwark.mailets.stamp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.bulwark.scanner.verdict.MessageContent;

/**
 * The pipeline's mark on what it judged clean, so that store-level scanning does not scan it a second time:
 * header {@code X-Bulwark-Stamp: v1 <HMAC>}, the HMAC-SHA256, under a key only the server holds, of the owner it
 * was delivered to, the message body's SHA-256 and its {@code Content-*} headers. A client cannot make one
 * (no key), and one copied from a delivered message vouches only for that same body, read the same way, in
 * that same owner's mailbox: anything else is scanned. Headers outside {@code Content-*} are free text that
 * James adds to at delivery; they are not bound.
 */
public final class ScanStamp {
    public static final String HEADER = "X-Bulwark-Stamp";
    private static final String VERSION = "v1";

    private final SecretKeySpec key;

    /** @param key at least 32 random bytes, the same on every node that delivers or scans mailboxes */
    public ScanStamp(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("a scan stamp key needs at least 32 bytes, got " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** What a message's stamps are checked against, read once. */
    public static final class Digest {
        private final MessageDigest digest;
        private final String bodyHash;

        private Digest(MessageDigest digest) {
            this.digest = digest;
            this.bodyHash = digest.bodyHash();
        }

        public java.util.List<String> stamps() {
            return digest.values(HEADER);
        }
    }

    /** Reads a raw message (headers and body) for stamping or checking. */
    public static Digest digest(MessageContent message) throws IOException {
        MessageDigest digest = new MessageDigest();
        message.writeTo(digest);
        return new Digest(digest);
    }

    public static Digest digest(InputStream message) throws IOException {
        MessageDigest digest = new MessageDigest();
        message.transferTo(digest);
        return new Digest(digest);
    }

    /** The stamp for this message in {@code owner}'s mailbox; empty for a header block too large to have been stamped. */
    public java.util.Optional<String> issue(String owner, Digest message) {
        if (message.digest.headersTooLarge()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(VERSION + " " + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(owner, message)));
    }

    /** Whether the message carries a stamp this server issued for it in {@code owner}'s mailbox. */
    public boolean verifies(String owner, Digest message) {
        java.util.Optional<String> expected = issue(owner, message);
        if (expected.isEmpty()) {
            return false;
        }
        byte[] wanted = expected.get().getBytes(StandardCharsets.US_ASCII);
        return message.stamps().stream()
            .anyMatch(stamp -> java.security.MessageDigest.isEqual(stamp.getBytes(StandardCharsets.US_ASCII), wanted));
    }

    private byte[] mac(String owner, Digest message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            String bound = VERSION + "\n" + owner.toLowerCase(Locale.ROOT) + "\n" + message.digest.contentHeaders() + "\n" + message.bodyHash;
            return mac.doFinal(bound.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
