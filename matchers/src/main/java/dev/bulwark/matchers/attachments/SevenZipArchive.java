package dev.bulwark.matchers.attachments;

import java.util.zip.CRC32;

/**
 * What can be told about a 7z archive without unpacking it: whether its header is where the signature
 * header says and intact, and whether it names the AES coder (an encrypted archive: 7-Zip's {@code -p},
 * and with {@code -mhe} its file list too). The file list is most often LZMA-compressed, which is not
 * unpacked here: then the archive's content, and its encryption, are clamd's to judge
 * ({@code AlertEncryptedArchive} flags encrypted 7z as {@code Heuristics.Encrypted.7Zip}).
 */
final class SevenZipArchive {
    private static final byte[] SIGNATURE = {'7', 'z', (byte) 0xbc, (byte) 0xaf, 0x27, 0x1c};
    private static final int HEADER = 0x01;
    private static final int ENCODED_HEADER = 0x17;
    /** The 7zAES coder id (06 F1 07 01), as a coder record writes it: a flags byte with id size 4. */
    private static final byte[] AES = {0x06, (byte) 0xf1, 0x07, 0x01};

    /** What the header says. */
    enum Header {
        /** A plain header without the AES coder: not encrypted. */
        PLAIN,
        /** The AES coder is named: the content, or the header and so the file list, is encrypted. */
        ENCRYPTED,
        /** The header is compressed and names no AES coder for itself: not read here. */
        COMPRESSED
    }

    private SevenZipArchive() {
    }

    static boolean is7z(byte[] head) {
        if (head.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (head[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /** @throws DamagedArchiveException when the start header or the header it points to is damaged or missing */
    static Header header(byte[] bytes) throws DamagedArchiveException {
        if (!is7z(bytes) || bytes.length < 32) {
            throw new DamagedArchiveException("truncated 7z signature header");
        }
        CRC32 startCrc = new CRC32();
        startCrc.update(bytes, 12, 20);
        if (startCrc.getValue() != u32(bytes, 8)) {
            throw new DamagedArchiveException("7z start header checksum fails");
        }
        long offset = u64(bytes, 12);
        long size = u64(bytes, 20);
        if (offset < 0 || size <= 0 || size > Integer.MAX_VALUE || 32 + offset + size > bytes.length) {
            throw new DamagedArchiveException("7z header outside the archive (truncated)");
        }
        int start = (int) (32 + offset);
        CRC32 headerCrc = new CRC32();
        headerCrc.update(bytes, start, (int) size);
        if (headerCrc.getValue() != u32(bytes, 28)) {
            throw new DamagedArchiveException("7z header checksum fails");
        }
        int kind = bytes[start] & 0xff;
        if (kind != HEADER && kind != ENCODED_HEADER) {
            throw new DamagedArchiveException("7z header of unknown kind " + kind);
        }
        if (namesAes(bytes, start, start + (int) size)) {
            return Header.ENCRYPTED;
        }
        return kind == HEADER ? Header.PLAIN : Header.COMPRESSED;
    }

    private static boolean namesAes(byte[] bytes, int start, int end) {
        for (int i = start + 1; i + AES.length <= end; i++) {
            // coder flags: id size 4 in the low nibble; 0x10 complex, 0x20 with properties
            if ((bytes[i - 1] & 0x0f) == 4 && (bytes[i - 1] & 0xc0) == 0 && bytes[i] == AES[0] && bytes[i + 1] == AES[1]
                && bytes[i + 2] == AES[2] && bytes[i + 3] == AES[3]) {
                return true;
            }
        }
        return false;
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }

    private static long u64(byte[] b, int p) {
        return u32(b, p) | u32(b, p + 4) << 32;
    }
}
