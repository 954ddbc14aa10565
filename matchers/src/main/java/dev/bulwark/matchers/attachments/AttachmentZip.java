package dev.bulwark.matchers.attachments;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * A zip archive held in memory, read the way extractors read it: from its central directory (what
 * Windows Explorer, 7-Zip and unzip list), cross-checked with each entry's local header (what streaming
 * readers see), so that neither a name hidden in one of them nor an entry {@code java.util.zip.ZipInputStream}
 * refuses (stored with a data descriptor) gets past unseen. Entries are reached directly: skipping one
 * never inflates it, and reading one inflates at most the bytes asked for.
 */
final class AttachmentZip {
    private static final int LOC = 0x04034b50;
    private static final int CEN = 0x02014b50;
    private static final int END = 0x06054b50;
    private static final int ZIP64_END = 0x06064b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final Charset CP437 = cp437();

    /**
     * One entry.
     *
     * @param name       the name in the central directory
     * @param localName  the name in the local header, when it differs (else null)
     * @param encrypted  general purpose bit 0 set in either header
     * @param method     0 stored, 8 deflated, anything else is not read here
     * @param compressed bytes of data in the archive
     * @param size       declared uncompressed size
     * @param data       offset of the data, or -1 when the local header is missing
     */
    record Entry(String name, String localName, boolean encrypted, int method, long compressed, long size, long data) {
        boolean directory() {
            return name.endsWith("/") || name.endsWith("\\");
        }

        List<String> names() {
            return localName == null ? List.of(name) : List.of(name, localName);
        }
    }

    private final byte[] bytes;
    private final List<Entry> entries;
    private final int total;

    private AttachmentZip(byte[] bytes, List<Entry> entries, int total) {
        this.bytes = bytes;
        this.entries = entries;
        this.total = total;
    }

    /** Whether the bytes end like a zip archive (an end of central directory record in the last 64 KB). */
    static boolean hasDirectory(byte[] bytes) {
        return findEnd(bytes) >= 0;
    }

    /**
     * Reads the central directory, at most {@code maxEntries} entries.
     *
     * @throws ZipException when there is no readable central directory
     */
    static AttachmentZip open(byte[] bytes, int maxEntries) throws ZipException {
        int end = findEnd(bytes);
        if (end < 0) {
            throw new ZipException("no central directory");
        }
        long count = u16(bytes, end + 10);
        long size = u32(bytes, end + 12);
        long offset = u32(bytes, end + 16);
        long directoryEnd = end;
        if (count == 0xFFFF || size == 0xFFFFFFFFL || offset == 0xFFFFFFFFL) {
            int locator = end - 20;
            if (locator >= 0 && u32(bytes, locator) == ZIP64_LOCATOR) {
                long zip64End = u64(bytes, locator + 8);
                if (zip64End < 0 || zip64End + 56 > locator || u32(bytes, (int) zip64End) != ZIP64_END) {
                    // shifted by data prepended to the archive: the record sits just before its locator
                    zip64End = locator - 56;
                    if (zip64End < 0 || u32(bytes, (int) zip64End) != ZIP64_END) {
                        throw new ZipException("bad zip64 end of central directory");
                    }
                }
                count = u64(bytes, (int) zip64End + 32);
                size = u64(bytes, (int) zip64End + 40);
                offset = u64(bytes, (int) zip64End + 48);
                directoryEnd = zip64End;
            }
        }
        long start = directoryEnd - size;
        // Data prepended to the archive (a stub, junk) shifts every offset: extractors allow for it, so do we.
        long shift = start - offset;
        if (start < 0 || shift < 0 || count < 0) {
            throw new ZipException("central directory out of bounds");
        }
        List<Entry> entries = new ArrayList<>();
        int position = (int) start;
        int read = 0;
        while (read < count && position + 46 <= directoryEnd) {
            if (u32(bytes, position) != CEN) {
                throw new ZipException("bad central directory entry at " + position);
            }
            int flags = u16(bytes, position + 8);
            int method = u16(bytes, position + 10);
            long compressed = u32(bytes, position + 20);
            long size1 = u32(bytes, position + 24);
            int nameLength = u16(bytes, position + 28);
            int extraLength = u16(bytes, position + 30);
            int commentLength = u16(bytes, position + 32);
            long local = u32(bytes, position + 42);
            int next = position + 46 + nameLength + extraLength + commentLength;
            if (next > bytes.length) {
                throw new ZipException("central directory entry out of bounds");
            }
            if (read < maxEntries) {
                long[] zip64 = zip64(bytes, position + 46 + nameLength, extraLength, size1, compressed, local);
                size1 = zip64[0];
                compressed = zip64[1];
                local = zip64[2] + shift;
                String name = name(bytes, position + 46, nameLength, flags);
                entries.add(withLocalHeader(bytes, name, flags, method, compressed, size1, local));
            }
            read++;
            position = next;
        }
        if (read < count && read < maxEntries) {
            throw new ZipException("central directory truncated after " + read + " of " + count + " entries");
        }
        return new AttachmentZip(bytes, List.copyOf(entries), (int) Math.min(Integer.MAX_VALUE, count));
    }

    /** The entries read, at most the {@code maxEntries} asked for. */
    List<Entry> entries() {
        return entries;
    }

    /** How many entries the archive declares. */
    int total() {
        return total;
    }

    /**
     * The first {@code limit} bytes of an entry's content (fewer when it is shorter).
     *
     * @throws ZipException when its data cannot be read (no local header, unknown method, corrupt data)
     */
    byte[] read(Entry entry, int limit) throws ZipException {
        if (entry.data() < 0) {
            throw new ZipException("no local header");
        }
        int start = (int) entry.data();
        int available = (int) Math.min(entry.compressed(), bytes.length - (long) start);
        if (available < 0) {
            throw new ZipException("data out of bounds");
        }
        switch (entry.method()) {
            case 0:
                return Arrays.copyOfRange(bytes, start, start + Math.min(available, limit));
            case 8:
                Inflater inflater = new Inflater(true);
                try {
                    inflater.setInput(bytes, start, available);
                    byte[] out = new byte[Math.min(limit, 65536)];
                    int length = 0;
                    while (length < limit) {
                        if (length == out.length) {
                            out = Arrays.copyOf(out, (int) Math.min(limit, (long) out.length * 2));
                        }
                        int n = inflater.inflate(out, length, out.length - length);
                        length += n;
                        if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                            break;
                        }
                    }
                    return length == out.length ? out : Arrays.copyOf(out, length);
                } catch (DataFormatException e) {
                    throw new ZipException("corrupt data: " + e.getMessage());
                } finally {
                    inflater.end();
                }
            default:
                throw new ZipException("compression method " + entry.method() + " not supported");
        }
    }

    private static Entry withLocalHeader(byte[] bytes, String name, int flags, int method, long compressed, long size, long local) {
        if (local < 0 || local + 30 > bytes.length || u32(bytes, (int) local) != LOC) {
            return new Entry(name, null, (flags & 1) != 0, method, compressed, size, -1);
        }
        int position = (int) local;
        int localFlags = u16(bytes, position + 6);
        int nameLength = u16(bytes, position + 26);
        int extraLength = u16(bytes, position + 28);
        long data = (long) position + 30 + nameLength + extraLength;
        if (data > bytes.length) {
            return new Entry(name, null, ((flags | localFlags) & 1) != 0, method, compressed, size, -1);
        }
        String localName = name(bytes, position + 30, nameLength, localFlags);
        return new Entry(name, localName.equals(name) ? null : localName, ((flags | localFlags) & 1) != 0, method, compressed, size, data);
    }

    /** Sizes and offset from the zip64 extra field, for those the fixed fields mark as 0xFFFFFFFF. */
    private static long[] zip64(byte[] bytes, int extra, int length, long size, long compressed, long local) {
        long[] values = {size, compressed, local};
        int position = extra;
        while (position + 4 <= extra + length) {
            int id = u16(bytes, position);
            int dataLength = u16(bytes, position + 2);
            if (id == 0x0001) {
                int field = position + 4;
                for (int i = 0; i < 3; i++) {
                    if (values[i] == 0xFFFFFFFFL && field + 8 <= position + 4 + dataLength) {
                        values[i] = u64(bytes, field);
                        field += 8;
                    }
                }
                break;
            }
            position += 4 + dataLength;
        }
        return values;
    }

    private static String name(byte[] bytes, int offset, int length, int flags) {
        return new String(bytes, offset, length, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : CP437);
    }

    private static int findEnd(byte[] bytes) {
        int last = bytes.length - 22;
        int first = Math.max(0, last - 0xFFFF);
        int fallback = -1;
        for (int i = last; i >= first; i--) {
            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 5 && bytes[i + 3] == 6) {
                if (i + 22 + u16(bytes, i + 20) == bytes.length) {
                    return i;
                }
                if (fallback < 0) {
                    fallback = i; // a comment length that does not add up: trailing bytes after the archive
                }
            }
        }
        return fallback;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static long u32(byte[] b, int i) {
        return (u16(b, i) | (long) u16(b, i + 2) << 16) & 0xFFFFFFFFL;
    }

    private static long u64(byte[] b, int i) {
        return u32(b, i) | u32(b, i + 4) << 32;
    }

    private static Charset cp437() {
        try {
            return Charset.forName("IBM437");
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}
