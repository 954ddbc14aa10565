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
 *
 * <p>A stamp also says why the message was let through ({@link Kind}), bound into the HMAC, so that no client can
 * turn a plain "scanned clean" into an admin's release. Scanned stamps keep the first format, {@code v1 <HMAC>},
 * so that every stamp issued before kinds existed still verifies (as scanned) and nodes not yet upgraded still
 * accept what an upgraded node stamps; the other kinds are {@code v2 <kind> <HMAC>}.
 */
public final class ScanStamp {
    public static final String HEADER = "X-Bulwark-Stamp";
    private static final String SCANNED_VERSION = "v1";
    private static final String KINDS_VERSION = "v2";

    /** Why the pipeline vouches for a message. */
    public enum Kind {
        /** Scanned and found clean. */
        SCANNED("scanned"),
        /** Released from the quarantine (or held mail released unscanned) by an admin: a decision about this message. */
        RELEASED("released"),
        /** Delivered tagged despite a finding, because the recipient's runtime policy says deliver-tagged. */
        POLICY_DELIVERED("policy-delivered");

        private final String token;

        Kind(String token) {
            this.token = token;
        }

        /** The kind's name in the stamp, the HMAC and reports. */
        public String token() {
            return token;
        }
    }

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

    /** The stamp of this kind for this message in {@code owner}'s mailbox; empty for a header block too large to have been stamped. */
    public java.util.Optional<String> issue(Kind kind, String owner, Digest message) {
        if (message.digest.headersTooLarge()) {
            return java.util.Optional.empty();
        }
        String mac = Base64.getUrlEncoder().withoutPadding().encodeToString(mac(kind, owner, message));
        return java.util.Optional.of(kind == Kind.SCANNED ? SCANNED_VERSION + " " + mac : KINDS_VERSION + " " + kind.token() + " " + mac);
    }

    /** Whether the message carries a stamp, of any kind, this server issued for it in {@code owner}'s mailbox. */
    public boolean verifies(String owner, Digest message) {
        return !kinds(owner, message).isEmpty();
    }

    /**
     * The kinds stamp header values claim, by their text alone (unchecked: a client can write any): only these can
     * verify, so a reader can leave a message unread when none is a kind it would spare.
     */
    public static java.util.Set<Kind> claimed(java.util.Collection<String> stamps) {
        java.util.Set<Kind> claimed = java.util.EnumSet.noneOf(Kind.class);
        for (String stamp : stamps) {
            String value = stamp.strip();
            if (value.startsWith(SCANNED_VERSION + " ")) {
                claimed.add(Kind.SCANNED);
            }
            for (Kind kind : Kind.values()) {
                if (value.startsWith(KINDS_VERSION + " " + kind.token() + " ")) {
                    claimed.add(kind);
                }
            }
        }
        return claimed;
    }

    /** The kinds of the stamps on the message that this server issued for it in {@code owner}'s mailbox; empty: none. */
    public java.util.Set<Kind> kinds(String owner, Digest message) {
        java.util.Set<Kind> kinds = java.util.EnumSet.noneOf(Kind.class);
        // Only a kind some stamp claims can match: its HMAC alone is computed.
        for (Kind kind : claimed(message.stamps())) {
            java.util.Optional<String> expected = issue(kind, owner, message);
            if (expected.isEmpty()) {
                return kinds;
            }
            byte[] wanted = expected.get().getBytes(StandardCharsets.US_ASCII);
            if (message.stamps().stream()
                    .anyMatch(stamp -> java.security.MessageDigest.isEqual(stamp.getBytes(StandardCharsets.US_ASCII), wanted))) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    private byte[] mac(Kind kind, String owner, Digest message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            // v1 (scanned) as it always was; v2 binds the kind too. The version line keeps the two apart.
            String prefix = kind == Kind.SCANNED ? SCANNED_VERSION : KINDS_VERSION + "\n" + kind.token();
            String bound = prefix + "\n" + owner.toLowerCase(Locale.ROOT) + "\n" + message.digest.contentHeaders() + "\n" + message.bodyHash;
            return mac.doFinal(bound.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
