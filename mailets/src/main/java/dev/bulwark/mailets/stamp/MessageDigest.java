package dev.bulwark.mailets.stamp;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What a stamp is bound to, read from a raw message as it streams by: the SHA-256 of its body (every
 * byte after the first empty line), the values of its {@code Content-*} headers (which say how that body
 * is read: type, encoding, disposition) and the stamps it carries. Headers are unfolded and their
 * whitespace outside quoted strings collapsed, so that a header block rewritten by James (one header
 * removed, another added, a header folded anew) digests the same; inside quotes (a boundary, a file
 * name) every character counts, or a re-labelled message would digest as the original. A header block
 * with a bare CR (a line end to some readers, not to others) is never vouched for.
 */
final class MessageDigest extends OutputStream {
    /** A header block larger than this is not a message anyone stamped: such a message is always scanned. */
    static final int MAX_HEADER_BYTES = 1024 * 1024;

    private final ByteArrayOutputStream headerBytes = new ByteArrayOutputStream(4096);
    private final java.security.MessageDigest body = sha256();
    private boolean inBody;
    private boolean headersTooLarge;
    private boolean bareCr;
    private int previous = -1;
    private int beforePrevious = -1;

    @Override
    public void write(int b) {
        if (inBody) {
            body.update((byte) b);
            return;
        }
        header((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end && !inBody) {
            header(bytes[i++]);
        }
        if (i < end) {
            body.update(bytes, i, end - i);
        }
    }

    private void header(byte b) {
        if (headerBytes.size() < MAX_HEADER_BYTES) {
            headerBytes.write(b);
        } else {
            headersTooLarge = true;
        }
        if (previous == '\r' && b != '\n') {
            bareCr = true;
        }
        if (b == '\n' && (previous == '\n' || (previous == '\r' && beforePrevious == '\n'))) {
            inBody = true;
        }
        beforePrevious = previous;
        previous = b;
    }

    /** Too large, or ambiguous (a bare CR): not a header block a stamp vouches for. */
    boolean headersTooLarge() {
        return headersTooLarge || bareCr;
    }

    /** The body's SHA-256 in hex; ends the digest. */
    String bodyHash() {
        return HexFormat.of().formatHex(body.digest());
    }

    /** {@code name:value} lines of the Content-* headers, in order, names in lower case. */
    String contentHeaders() {
        StringBuilder lines = new StringBuilder();
        for (String[] header : headers()) {
            if (header[0].startsWith("content-")) {
                lines.append(header[0]).append(':').append(header[1]).append('\n');
            }
        }
        return lines.toString();
    }

    /** The values of every header with this name (case-insensitive). */
    List<String> values(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return headers().stream().filter(header -> header[0].equals(wanted)).map(header -> header[1]).toList();
    }

    private List<String[]> headers() {
        // Byte for byte: header text is ASCII by the standard, and anything else must digest the same on both sides.
        String block = headerBytes.toString(StandardCharsets.ISO_8859_1);
        List<String[]> headers = new ArrayList<>();
        StringBuilder current = null;
        for (String line : block.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append(line); // unfolding: the line end goes, the white space stays
                continue;
            }
            add(headers, current);
            current = new StringBuilder(line);
        }
        add(headers, current);
        return headers;
    }

    private static void add(List<String[]> headers, StringBuilder line) {
        if (line == null) {
            return;
        }
        int colon = line.indexOf(":");
        if (colon <= 0) {
            return;
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        headers.add(new String[] {name, collapseOutsideQuotes(line.substring(colon + 1)).trim()});
    }

    /** Runs of white space outside quoted strings become one space; quoted strings stay as they are. */
    static String collapseOutsideQuotes(String value) {
        StringBuilder out = new StringBuilder(value.length());
        boolean quoted = false;
        boolean space = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
                space = true;
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.append(c);
            if (quoted && c == '\\' && i + 1 < value.length()) {
                out.append(value.charAt(++i)); // an escaped character, a quote among them
            } else if (c == '"') {
                quoted = !quoted;
            }
        }
        return out.toString();
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
