package dev.bulwark.matchers.attachments;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The attachments inside a TNEF stream ({@code winmail.dat}, {@code application/ms-tnef}), which Outlook
 * shows as ordinary attachments: their names (the 8.3 title and the long file name from the MAPI
 * properties) and their bytes, and the attachments of messages embedded in it. Read after MS-OXTNEF;
 * what does not follow it is a {@link TnefException}, never a silent skip.
 */
final class Tnef {
    static final int SIGNATURE = 0x223E9F78;
    private static final int LEVEL_MESSAGE = 1;
    private static final int LEVEL_ATTACHMENT = 2;
    private static final int ATT_ATTACH_REND_DATA = 0x00069002;
    private static final int ATT_ATTACH_TITLE = 0x00018010;
    private static final int ATT_ATTACH_DATA = 0x0006800F;
    private static final int ATT_ATTACHMENT = 0x00069005;
    private static final int PR_ATTACH_DATA_OBJ = 0x3701;
    private static final int PR_ATTACH_FILENAME = 0x3704;
    private static final int PR_ATTACH_LONG_FILENAME = 0x3707;
    private static final int PR_DISPLAY_NAME = 0x3001;
    private static final int MAX_DEPTH = 4;
    private static final int MAX_ATTACHMENTS = 500;

    /** One attachment: every name it goes by, and its bytes (empty when it has none). */
    record Attachment(Set<String> names, byte[] data) {
    }

    static final class TnefException extends Exception {
        TnefException(String message) {
            super(message);
        }
    }

    private final byte[] bytes;
    private int position;

    private Tnef(byte[] bytes, int start) {
        this.bytes = bytes;
        this.position = start;
    }

    static boolean isTnef(byte[] head) {
        return head.length >= 4 && le32(head, 0) == SIGNATURE;
    }

    /** The attachments, those of embedded messages included (after their own). */
    static List<Attachment> attachments(byte[] bytes) throws TnefException {
        List<Attachment> found = new ArrayList<>();
        new Tnef(bytes, 0).read(found, 0);
        return found;
    }

    private void read(List<Attachment> found, int depth) throws TnefException {
        if (depth > MAX_DEPTH) {
            throw new TnefException("messages embedded deeper than " + MAX_DEPTH);
        }
        if (remaining() < 6 || le32(bytes, position) != SIGNATURE) {
            throw new TnefException("no TNEF signature");
        }
        position += 6; // signature, legacy key
        Set<String> names = null;
        String title = null;
        byte[] data = new byte[0];
        while (remaining() > 0) {
            if (remaining() < 9) {
                throw new TnefException("truncated attribute at byte " + position);
            }
            int level = bytes[position] & 0xff;
            int id = le32(bytes, position + 1);
            long length = le32(bytes, position + 5) & 0xffffffffL;
            int start = position + 9;
            if (level != LEVEL_MESSAGE && level != LEVEL_ATTACHMENT) {
                throw new TnefException("unknown attribute level " + level + " at byte " + position);
            }
            if (length > bytes.length - start - 2L) {
                throw new TnefException("attribute at byte " + position + " runs past the end");
            }
            int end = start + (int) length;
            position = end + 2; // checksum
            if (level != LEVEL_ATTACHMENT) {
                continue;
            }
            switch (id) {
                case ATT_ATTACH_REND_DATA -> {
                    if (names != null) {
                        add(found, names, title, data);
                    }
                    names = new LinkedHashSet<>();
                    title = null;
                    data = new byte[0];
                }
                case ATT_ATTACH_TITLE -> {
                    names(names);
                    title = cString(start, end, StandardCharsets.ISO_8859_1);
                }
                case ATT_ATTACH_DATA -> {
                    names(names);
                    data = java.util.Arrays.copyOfRange(bytes, start, end);
                }
                case ATT_ATTACHMENT -> properties(start, end, names(names), found, depth);
                default -> {
                    // other attachment attributes (dates, rendering) name nothing and hold nothing
                }
            }
        }
        if (names != null) {
            add(found, names, title, data);
        }
    }

    private static Set<String> names(Set<String> names) throws TnefException {
        if (names == null) {
            throw new TnefException("attachment attribute before its start (attAttachRendData)");
        }
        return names;
    }

    /** The long names (what Outlook shows) first, then the 8.3 title. */
    private static void add(List<Attachment> found, Set<String> names, String title, byte[] data) throws TnefException {
        if (found.size() >= MAX_ATTACHMENTS) {
            throw new TnefException("more than " + MAX_ATTACHMENTS + " attachments");
        }
        Set<String> all = new LinkedHashSet<>(names);
        if (title != null) {
            all.add(title);
        }
        all.removeIf(String::isBlank);
        found.add(new Attachment(java.util.Collections.unmodifiableSet(all), data));
    }

    /** The MAPI properties of one attachment (attAttachment): names, and an embedded message's attachments. */
    private void properties(int start, int end, Set<String> names, List<Attachment> found, int depth) throws TnefException {
        int p = start;
        long count = u32(p, end);
        p += 4;
        for (long i = 0; i < count; i++) {
            int type = u16(p, end);
            int id = u16(p + 2, end);
            p += 4;
            if (id >= 0x8000) {
                p += 16; // named property: GUID
                long kind = u32(p, end);
                p += 4;
                if (kind == 0) {
                    p += 4;
                } else {
                    long nameLength = u32(p, end);
                    p = padded(p + 4, nameLength, end);
                }
            }
            boolean multiple = (type & 0x1000) != 0;
            int base = type & ~0x1000;
            long values = 1;
            if (multiple || isVariable(base)) {
                values = u32(p, end);
                p += 4;
            }
            for (long v = 0; v < values; v++) {
                if (isVariable(base)) {
                    long length = u32(p, end);
                    int data = p + 4;
                    p = padded(data, length, end);
                    if (base == 0x001E || base == 0x001F) {
                        if (id == PR_ATTACH_LONG_FILENAME || id == PR_ATTACH_FILENAME || id == PR_DISPLAY_NAME) {
                            names.add(cString(data, data + (int) length, base == 0x001F ? StandardCharsets.UTF_16LE : StandardCharsets.ISO_8859_1));
                        }
                    } else if (base == 0x000D && id == PR_ATTACH_DATA_OBJ && length > 16) {
                        // an embedded message: a 16-byte interface id, then a TNEF stream of its own
                        Tnef embedded = new Tnef(java.util.Arrays.copyOfRange(bytes, data + 16, data + (int) length), 0);
                        embedded.read(found, depth + 1);
                    }
                } else {
                    int size = fixedSize(base);
                    if (size < 0) {
                        throw new TnefException("unknown MAPI property type 0x" + Integer.toHexString(type));
                    }
                    p += size;
                    if (p > end) {
                        throw new TnefException("MAPI property runs past its attribute");
                    }
                }
            }
        }
    }

    private static boolean isVariable(int type) {
        return type == 0x001E || type == 0x001F || type == 0x0102 || type == 0x000D;
    }

    /** Bytes a fixed-size value takes, padded to 4; -1 for an unknown type. */
    private static int fixedSize(int type) {
        return switch (type) {
            case 0x0001, 0x0002, 0x0003, 0x0004, 0x000A, 0x000B -> 4; // null, short, long, float, error, boolean
            case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040 -> 8; // double, currency, apptime, i8, systime
            case 0x0048 -> 16; // clsid
            default -> -1;
        };
    }

    private int padded(int start, long length, int end) throws TnefException {
        long next = start + ((length + 3) & ~3L);
        if (length < 0 || start + length > end || next > end + 3L) {
            throw new TnefException("MAPI value runs past its attribute");
        }
        return (int) Math.min(next, end);
    }

    private String cString(int start, int end, Charset charset) {
        // without the terminating NULs; a NUL inside stays, for the name check to see both readings
        return new String(bytes, start, Math.max(0, end - start), charset).replaceFirst("\\x00+$", "");
    }

    private long u32(int p, int end) throws TnefException {
        if (p + 4 > end) {
            throw new TnefException("MAPI properties run past their attribute");
        }
        return le32(bytes, p) & 0xffffffffL;
    }

    private int u16(int p, int end) throws TnefException {
        if (p + 2 > end) {
            throw new TnefException("MAPI properties run past their attribute");
        }
        return (bytes[p] & 0xff) | (bytes[p + 1] & 0xff) << 8;
    }

    private int remaining() {
        return bytes.length - position;
    }

    private static int le32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }
}
