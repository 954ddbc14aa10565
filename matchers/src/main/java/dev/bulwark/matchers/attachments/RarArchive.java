package dev.bulwark.matchers.attachments;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The file list of a RAR archive (formats 1.5-4 and 5), read from its block headers as unrar reads
 * them, header checksums included: every entry's name and whether it is encrypted, or that the headers
 * themselves are encrypted. Nothing is unpacked (RAR's compression is not free software): the content
 * is clamd's to scan, when clamd was built with unrar.
 */
final class RarArchive {
    private static final byte[] RAR4 = {'R', 'a', 'r', '!', 0x1a, 0x07, 0x00};
    private static final byte[] RAR5 = {'R', 'a', 'r', '!', 0x1a, 0x07, 0x01, 0x00};
    /** unrar finds an archive behind a self-extractor stub; the stub itself is an executable, banned by type. */
    private static final int SEARCH = 1024 * 1024;

    record Entry(String name, boolean encrypted) {
    }

    /**
     * @param entries          the entries read (at most the limit asked for)
     * @param headersEncrypted the file list itself is encrypted (RAR's -hp): no name can be read
     * @param more             entries over the limit were not read
     */
    record Listing(List<Entry> entries, boolean headersEncrypted, boolean more) {
        boolean anyEncrypted() {
            return headersEncrypted || entries.stream().anyMatch(Entry::encrypted);
        }
    }

    private RarArchive() {
    }

    static boolean isRar(byte[] head) {
        return startsWith(head, 0, RAR4) || startsWith(head, 0, RAR5);
    }

    /** @throws DamagedArchiveException when the headers do not follow the format or their checksums fail */
    static Listing read(byte[] bytes, int maxEntries) throws DamagedArchiveException {
        for (int at = 0; at < Math.min(bytes.length, SEARCH); at++) {
            if (startsWith(bytes, at, RAR5)) {
                return new Reader(bytes, at + RAR5.length, maxEntries).rar5();
            }
            if (startsWith(bytes, at, RAR4)) {
                return new Reader(bytes, at + RAR4.length, maxEntries).rar4();
            }
        }
        throw new DamagedArchiveException("no RAR signature");
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        if (bytes.length - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static final class Reader {
        private final byte[] bytes;
        private final int maxEntries;
        private final List<Entry> entries = new ArrayList<>();
        private int p;

        Reader(byte[] bytes, int start, int maxEntries) {
            this.bytes = bytes;
            this.p = start;
            this.maxEntries = maxEntries;
        }

        /** RAR 1.5-4: 7-byte block heads (CRC16 of the header, type, flags, size), data after long blocks. */
        Listing rar4() throws DamagedArchiveException {
            while (p < bytes.length) {
                need(7);
                int crc = u16(p);
                int type = bytes[p + 2] & 0xff;
                int flags = u16(p + 3);
                int size = u16(p + 5);
                if (size < 7) {
                    throw new DamagedArchiveException("block header of " + size + " bytes at " + p);
                }
                need(size);
                if (crc(p + 2, size - 2) != crc) {
                    throw new DamagedArchiveException("header checksum fails at " + p);
                }
                long data = 0;
                if ((flags & 0x8000) != 0 || type == 0x74) {
                    need(11);
                    data = u32(p + 7);
                }
                switch (type) {
                    case 0x73 -> {
                        if ((flags & 0x0080) != 0) {
                            return new Listing(entries, true, false);
                        }
                    }
                    case 0x74 -> {
                        boolean large = (flags & 0x0100) != 0;
                        if (size < (large ? 40 : 32)) {
                            throw new DamagedArchiveException("file header of " + size + " bytes at " + p);
                        }
                        int nameAt = p + 32 + (large ? 8 : 0);
                        int nameLength = u16(p + 26);
                        if (large) {
                            data |= u32(p + 32) << 32;
                        }
                        if (nameAt + nameLength > p + size) {
                            throw new DamagedArchiveException("file name runs past its header at " + p);
                        }
                        if (add(new Entry(name4(nameAt, nameLength, (flags & 0x0200) != 0), (flags & 0x0004) != 0))) {
                            return new Listing(entries, false, true);
                        }
                    }
                    case 0x7b -> {
                        return new Listing(entries, false, false);
                    }
                    default -> {
                        // comments, recovery records, sub-blocks: skipped with their data
                    }
                }
                long next = p + size + data;
                if (next > bytes.length) {
                    throw new DamagedArchiveException("data of the block at " + p + " runs past the end");
                }
                p = (int) next;
            }
            return new Listing(entries, false, false);
        }

        /** The name as unrar shows it: the Unicode form when one follows a NUL, else the bytes as they are. */
        private String name4(int at, int length, boolean unicode) {
            String raw = new String(bytes, at, length, StandardCharsets.ISO_8859_1);
            int nul = raw.indexOf('\0');
            if (!unicode || nul < 0) {
                return unicode ? new String(bytes, at, length, StandardCharsets.UTF_8) : raw;
            }
            // the ASCII form before the NUL is what every reader shows at least; the name check sees both
            return raw.substring(0, nul);
        }

        /** RAR 5: CRC32, a variable-length header size, type, flags, optional extra and data sizes. */
        Listing rar5() throws DamagedArchiveException {
            while (p < bytes.length) {
                need(5);
                long crc = u32(p);
                int sizeAt = p + 4;
                int[] cursor = {sizeAt};
                long headerSize = vint(cursor);
                int headerStart = cursor[0];
                if (headerSize < 1 || headerSize > 2 * 1024 * 1024 || headerStart + headerSize > bytes.length) {
                    throw new DamagedArchiveException("block header of " + headerSize + " bytes at " + p);
                }
                int headerEnd = headerStart + (int) headerSize;
                CRC32 check = new CRC32();
                check.update(bytes, sizeAt, headerEnd - sizeAt);
                if (check.getValue() != crc) {
                    throw new DamagedArchiveException("header checksum fails at " + p);
                }
                long type = vint(cursor);
                long flags = vint(cursor);
                long extra = (flags & 0x01) != 0 ? vint(cursor) : 0;
                long data = (flags & 0x02) != 0 ? vint(cursor) : 0;
                if (extra > headerSize || cursor[0] > headerEnd) {
                    throw new DamagedArchiveException("extra area larger than its header at " + p);
                }
                if (type == 4) {
                    return new Listing(entries, true, false);
                }
                if (type == 2) {
                    long fileFlags = vint(cursor);
                    vint(cursor); // unpacked size
                    vint(cursor); // attributes
                    cursor[0] += ((fileFlags & 0x02) != 0 ? 4 : 0) + ((fileFlags & 0x04) != 0 ? 4 : 0);
                    vint(cursor); // compression
                    vint(cursor); // host OS
                    long nameLength = vint(cursor);
                    int extraStart = headerEnd - (int) extra;
                    if (cursor[0] + nameLength > extraStart) {
                        throw new DamagedArchiveException("file name runs past its header at " + p);
                    }
                    String name = new String(bytes, cursor[0], (int) nameLength, StandardCharsets.UTF_8);
                    if (add(new Entry(name, hasEncryptionRecord(extraStart, headerEnd)))) {
                        return new Listing(entries, false, true);
                    }
                }
                if (type == 5) {
                    return new Listing(entries, false, false);
                }
                long next = headerEnd + data;
                if (next > bytes.length) {
                    throw new DamagedArchiveException("data of the block at " + p + " runs past the end");
                }
                p = (int) next;
            }
            return new Listing(entries, false, false);
        }

        /** Whether the extra area holds a file encryption record (type 1). */
        private boolean hasEncryptionRecord(int start, int end) throws DamagedArchiveException {
            int[] cursor = {start};
            while (cursor[0] < end) {
                long size = vint(cursor);
                int recordStart = cursor[0];
                if (size < 1 || recordStart + size > end) {
                    throw new DamagedArchiveException("extra record runs past its header");
                }
                if (vint(cursor) == 1) {
                    return true;
                }
                cursor[0] = recordStart + (int) size;
            }
            return false;
        }

        private boolean add(Entry entry) {
            if (entries.size() >= maxEntries) {
                return true;
            }
            entries.add(entry);
            return false;
        }

        private long vint(int[] cursor) throws DamagedArchiveException {
            long value = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                if (cursor[0] >= bytes.length) {
                    throw new DamagedArchiveException("header runs past the end");
                }
                int b = bytes[cursor[0]++] & 0xff;
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new DamagedArchiveException("number longer than 10 bytes");
        }

        private int crc(int at, int length) {
            CRC32 crc = new CRC32();
            crc.update(bytes, at, length);
            return (int) (crc.getValue() & 0xffff);
        }

        private void need(int count) throws DamagedArchiveException {
            if (bytes.length - p < count) {
                throw new DamagedArchiveException("truncated at " + p);
            }
        }

        private int u16(int at) {
            return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8;
        }

        private long u32(int at) {
            return ((bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | (long) (bytes[at + 3] & 0xff) << 24);
        }
    }
}
