package dev.bulwark.matchers.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A corpus of malformed and unusual MIME, as raw messages (JDK only, so that tests which load Bulwark from
 * its jar can use it too). Each {@link #hostile hostile} sample hides an executable (by name, by content or
 * both) behind one malformation or encoding trick that a mail client still decodes; each {@link #benign
 * benign} sample is unusual but honest mail that must be delivered.
 */
public final class HostileMime {
    /** A PE32 executable's first bytes: what type detection calls application/x-msdownload. */
    public static final byte[] PE = pe();
    private static final String PE64 = Base64.getMimeEncoder().encodeToString(PE);
    /**
     * Harmless bytes: where a sample's point is a structure the check cannot read, its payload is no
     * executable, so that only the check's own verdict (uninspectable) can stop it, not clamd's heuristics.
     */
    private static final String TEXT64 = Base64.getMimeEncoder().encodeToString("not really a program\r\n".getBytes(StandardCharsets.US_ASCII));

    /** One message: what it tries, the subject it is sent with, and its bytes as text (ISO-8859-1). */
    public record Sample(String kind, String subject, String message) {
        public byte[] bytes() {
            return message.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private HostileMime() {
    }

    private static byte[] pe() {
        byte[] pe = new byte[1024];
        pe[0] = 'M';
        pe[1] = 'Z';
        pe[0x3c] = (byte) 0x80;
        pe[0x80] = 'P';
        pe[0x81] = 'E';
        pe[0x84] = 0x4c;
        pe[0x85] = 0x01;
        return pe;
    }

    /** The hostile samples: none may be delivered. */
    public static List<Sample> hostile(String from, String to) {
        List<Sample> samples = new ArrayList<>();
        String exe = attachment("application/octet-stream; name=\"evil.exe\"", "attachment; filename=\"evil.exe\"", "base64", TEXT64);
        add(samples, from, to, "broken boundary parameter", mixed("OUT", text("hi") + part("OUT", "Content-Type: multipart/mixed; boundary=IN ;;\r\n\r\n"
            + "--IN\r\n" + exe + "--IN--\r\n")));
        add(samples, from, to, "unterminated quote in boundary", mixed("OUT", text("hi") + part("OUT", "Content-Type: multipart/mixed; boundary=\"IN\r\n\r\n"
            + "--IN\r\n" + exe + "--IN--\r\n")));
        add(samples, from, to, "unterminated quote in name", mixed("OUT", text("hi") + part("OUT", "Content-Type: application/octet-stream; name=\"evil.exe\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + TEXT64 + "\r\n")));
        add(samples, from, to, "multipart without boundary", headers(from, to) + "Content-Type: multipart/mixed\r\n\r\n--OUT\r\n"
            + "Content-Type: text/plain\r\n\r\nhi\r\n--OUT\r\n" + exe + "--OUT--\r\n");
        add(samples, from, to, "boundary never used", headers(from, to) + "Content-Type: multipart/mixed; boundary=XYZ\r\n\r\n--OUT\r\n"
            + "Content-Type: text/plain\r\n\r\nhi\r\n--OUT\r\n" + exe + "--OUT--\r\n");
        add(samples, from, to, "boundary given twice", headers(from, to) + "Content-Type: multipart/mixed; boundary=A; boundary=B\r\n\r\n"
            + "--A\r\nContent-Type: text/plain\r\n\r\nhi\r\n--A\r\nContent-Type: text/plain\r\n\r\n--B\r\n" + exe + "--B--\r\n--A--\r\n");
        add(samples, from, to, "two Content-Type headers", headers(from, to) + "Content-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=OUT\r\n\r\n"
            + "--OUT\r\nContent-Type: text/plain\r\n\r\nhi\r\n--OUT\r\n"
            + attachment("application/octet-stream; name=\"data.bin\"", "attachment", "base64", TEXT64) + "--OUT--\r\n");
        add(samples, from, to, "attached message with broken headers", mixed("OUT", text("fwd") + part("OUT", "Content-Type: message/rfc822\r\n\r\n"
            + "Subject inner line without a colon\r\nContent-Type: multipart/mixed; boundary=\"IN\r\n\r\n--IN\r\n" + exe + "--IN--\r\n")));
        add(samples, from, to, "RFC 2231 continued name", mixed("OUT", text("hi") + part("OUT", "Content-Type: application/octet-stream\r\n"
            + "Content-Disposition: attachment; filename*0=\"ev\"; filename*1=\"il.e\"; filename*2=\"xe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + TEXT64 + "\r\n")));
        add(samples, from, to, "RFC 2231 encoded name", mixed("OUT", text("hi") + part("OUT", "Content-Type: application/octet-stream\r\n"
            + "Content-Disposition: attachment; filename*=UTF-8''%65vil%2E%65xe\r\nContent-Transfer-Encoding: base64\r\n\r\n" + TEXT64 + "\r\n")));
        add(samples, from, to, "encoded-word name", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application/octet-stream; name=\"=?UTF-8?B?ZXZpbC5leGU=?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + TEXT64 + "\r\n")));
        add(samples, from, to, "disposition without Content-Type", mixed("OUT", text("hi") + part("OUT",
            "Content-Disposition: attachment; filename=report.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n" + PE64 + "\r\n")));
        add(samples, from, to, "uuencoded executable in text", headers(from, to) + "Content-Type: text/plain\r\n\r\nSee below.\r\n\r\n"
            + uuencode("tool.exe", "just text".getBytes(StandardCharsets.US_ASCII)) + "\r\nBye\r\n");
        add(samples, from, to, "uuencoded program named as a picture", headers(from, to) + "Content-Type: text/plain\r\n\r\nPhoto:\r\n"
            + uuencode("photo.jpg", PE) + "\r\n");
        add(samples, from, to, "executable in winmail.dat", mixed("OUT", text("hi") + part("OUT", "Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
            + "Content-Disposition: attachment; filename=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getMimeEncoder().encodeToString(tnef("INVOIC~1.PDF", "invoice.pdf.exe", PE)) + "\r\n")));
        add(samples, from, to, "absurd nesting", nested(from, to, 60, exe));
        add(samples, from, to, "NUL in the name", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application/octet-stream; name=\"evil.exe\0.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + TEXT64 + "\r\n")));
        add(samples, from, to, "stray characters in base64", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + TEXT64.substring(0, 8) + "!" + TEXT64.substring(8) + "\r\n")));
        add(samples, from, to, "base64 after its padding", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAA==\r\n" + TEXT64 + "\r\n")));
        add(samples, from, to, "unknown transfer encoding", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: x-bulwark\r\n\r\n" + TEXT64 + "\r\n")));
        add(samples, from, to, "base64-encoded multipart", headers(from, to) + "Content-Type: multipart/mixed; boundary=OUT\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getMimeEncoder().encodeToString(("--OUT\r\nContent-Type: text/plain\r\n\r\nhi\r\n--OUT\r\n" + exe + "--OUT--\r\n")
                .getBytes(StandardCharsets.ISO_8859_1)) + "\r\n");
        add(samples, from, to, "space before the colon", mixed("OUT", text("hi") + part("OUT",
            "Content-Type : application/octet-stream; name=data.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" + TEXT64 + "\r\n")));
        add(samples, from, to, "message fragment", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: message/partial; id=\"frag@x\"; number=1; total=2\r\n\r\nContent-Type: application/octet-stream\r\n\r\nMZ\r\n")));
        add(samples, from, to, "digest part without Content-Type", headers(from, to) + "Content-Type: multipart/digest; boundary=D\r\n\r\n--D\r\n\r\n"
            + "Subject: inside\r\nContent-Type: multipart/mixed; boundary=IN\r\n\r\n--IN\r\n" + exe + "--IN--\r\n--D--\r\n");
        add(samples, from, to, "boundary ending in a space", headers(from, to) + "Content-Type: multipart/mixed; boundary=\"OUT \"\r\n\r\n"
            + "--OUT\r\nContent-Type: text/plain\r\n\r\nhi\r\n--OUT\r\n" + exe + "--OUT--\r\n");
        add(samples, from, to, "type without subtype", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application; name=data.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" + TEXT64 + "\r\n")));
        add(samples, from, to, "BinHex attachment", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application/mac-binhex40; name=\"tool\"\r\n\r\n(This file must be converted with BinHex 4.0)\r\n:$f*TEQKPH#jdCA0d,R0TG!\r\n")));
        add(samples, from, to, "name folded across lines", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application/octet-stream;\r\n name=\"evil.\r\n exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + TEXT64 + "\r\n")));
        return samples;
    }

    /** The benign samples: all must be delivered, with nothing found. */
    public static List<Sample> benign(String from, String to) {
        List<Sample> samples = new ArrayList<>();
        String pdf = Base64.getMimeEncoder().encodeToString("%PDF-1.4\n% a small document\n".getBytes(StandardCharsets.US_ASCII));
        add(samples, from, to, "alternative text and html", headers(from, to) + "Content-Type: multipart/alternative; boundary=\"----=_Part_1_2.3\"\r\n\r\n"
            + "------=_Part_1_2.3\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n"
            + "------=_Part_1_2.3\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hello</p>\r\n------=_Part_1_2.3--\r\n");
        add(samples, from, to, "UTF-8 name in RFC 2231", mixed("OUT", text("cv") + part("OUT", "Content-Type: application/pdf\r\n"
            + "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + pdf + "\r\n")));
        add(samples, from, to, "name and name* both given", mixed("OUT", text("cv") + part("OUT", "Content-Type: application/pdf; name=\"cv.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"cv.pdf\"; filename*=UTF-8''cv.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + pdf + "\r\n")));
        add(samples, from, to, "encoded-word pdf name", mixed("OUT", text("hi") + part("OUT",
            "Content-Type: application/pdf; name=\"=?ISO-8859-1?Q?Rechnung_M=E4rz.pdf?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + pdf + "\r\n")));
        add(samples, from, to, "trailing semicolons", headers(from, to) + "Content-Type: multipart/mixed; boundary=OUT;\r\n\r\n--OUT\r\n"
            + "Content-Type: text/plain; charset=utf-8;\r\n\r\nhi\r\n--OUT--\r\n");
        add(samples, from, to, "bare line feeds", (headers(from, to) + "Content-Type: multipart/mixed; boundary=OUT\r\n\r\n--OUT\r\n"
            + "Content-Type: text/plain\r\n\r\nhi\r\n--OUT\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + pdf + "\r\n--OUT--\r\n").replace("\r\n", "\n"));
        add(samples, from, to, "forwarded message with a pdf", mixed("OUT", text("fwd") + part("OUT", "Content-Type: message/rfc822\r\n\r\n"
            + "From: x@example.com\r\nSubject: original\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=IN\r\n\r\n--IN\r\n"
            + "Content-Type: text/plain\r\n\r\noriginal\r\n--IN\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + pdf + "\r\n--IN--\r\n")));
        add(samples, from, to, "pdf in winmail.dat", mixed("OUT", text("hi") + part("OUT", "Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getMimeEncoder().encodeToString(tnef("REPORT.PDF", "quarterly report.pdf", "%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII)))
            + "\r\n")));
        add(samples, from, to, "uuencoded text file", headers(from, to) + "Content-Type: text/plain\r\n\r\nNotes:\r\n"
            + uuencode("notes.txt", "meeting at ten\n".getBytes(StandardCharsets.US_ASCII)) + "\r\n");
        add(samples, from, to, "digest of typed messages", headers(from, to) + "Content-Type: multipart/digest; boundary=D\r\n\r\n--D\r\n"
            + "Content-Type: message/rfc822\r\n\r\nSubject: one\r\n\r\nfirst\r\n--D\r\nContent-Type: message/rfc822\r\n\r\nSubject: two\r\n\r\nsecond\r\n--D--\r\n");
        add(samples, from, to, "disposition without Content-Type", mixed("OUT", text("hi") + part("OUT",
            "Content-Disposition: attachment; filename=notes.txt\r\n\r\njust notes\r\n")));
        add(samples, from, to, "comment in Content-Type", headers(from, to) + "Content-Type: multipart/mixed (a comment); boundary=OUT\r\n\r\n--OUT\r\n"
            + "Content-Type: text/plain\r\n\r\nhi\r\n--OUT--\r\n");
        add(samples, from, to, "preamble and epilogue", headers(from, to) + "Content-Type: multipart/mixed; boundary=OUT\r\n\r\n"
            + "This is a multi-part message in MIME format.\r\n--OUT\r\nContent-Type: text/plain\r\n\r\nhi\r\n--OUT--\r\nepilogue text\r\n");
        add(samples, from, to, "missing closing boundary", headers(from, to) + "Content-Type: multipart/mixed; boundary=OUT\r\n\r\n--OUT\r\n"
            + "Content-Type: text/plain\r\n\r\nno end in sight\r\n");
        add(samples, from, to, "plain old text", headers(from, to) + "\r\nNo MIME at all.\r\n");
        return samples;
    }

    private static void add(List<Sample> samples, String from, String to, String kind, String message) {
        String subject = "mime " + kind;
        samples.add(new Sample(kind, subject, message.replace("@HEADERS@", headers(from, to)).replace("Subject: @SUBJECT@", "Subject: " + subject)));
    }

    private static String headers(String from, String to) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: @SUBJECT@\r\nMessage-ID: <mime." + System.nanoTime() + "@bulwark.test>\r\n"
            + "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n";
    }

    private static String mixed(String boundary, String parts) {
        return "@HEADERS@Content-Type: multipart/mixed; boundary=" + boundary + "\r\n\r\n" + parts + "--" + boundary + "--\r\n";
    }

    private static String text(String body) {
        return "--OUT\r\nContent-Type: text/plain\r\n\r\n" + body + "\r\n";
    }

    private static String part(String boundary, String content) {
        return "--" + boundary + "\r\n" + content;
    }

    private static String attachment(String type, String disposition, String encoding, String body) {
        return "Content-Type: " + type + "\r\nContent-Disposition: " + disposition + "\r\nContent-Transfer-Encoding: " + encoding + "\r\n\r\n"
            + body + "\r\n";
    }

    private static String nested(String from, String to, int depth, String leaf) {
        StringBuilder message = new StringBuilder(headers(from, to));
        for (int level = 0; level < depth; level++) {
            message.append("Content-Type: multipart/mixed; boundary=L").append(level).append("\r\n\r\n--L").append(level).append("\r\n");
        }
        message.append(leaf);
        for (int level = depth - 1; level >= 0; level--) {
            message.append("--L").append(level).append("--\r\n");
        }
        return message.toString();
    }

    /** A uuencoded block ({@code begin 644 name} ... {@code end}) as uuencode(1) writes it. */
    public static String uuencode(String name, byte[] data) {
        StringBuilder out = new StringBuilder("begin 644 ").append(name).append("\r\n");
        for (int i = 0; i < data.length; i += 45) {
            int length = Math.min(45, data.length - i);
            out.append((char) (32 + length));
            for (int j = i; j < i + length; j += 3) {
                int b0 = data[j] & 0xff;
                int b1 = j + 1 < i + length ? data[j + 1] & 0xff : 0;
                int b2 = j + 2 < i + length ? data[j + 2] & 0xff : 0;
                int[] c = {b0 >> 2, (b0 & 3) << 4 | b1 >> 4, (b1 & 15) << 2 | b2 >> 6, b2 & 63};
                for (int k : c) {
                    out.append(k == 0 ? '`' : (char) (32 + k));
                }
            }
            out.append("\r\n");
        }
        return out.append("`\r\nend\r\n").toString();
    }

    /**
     * A TNEF stream (winmail.dat) with one attachment: its 8.3 title, its long file name (MAPI property
     * PR_ATTACH_LONG_FILENAME, as Outlook writes it) and its bytes. Written after MS-OXTNEF.
     */
    public static byte[] tnef(String title, String longName, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        le32(out, 0x223E9F78);
        le16(out, 0x0001);
        attribute(out, 1, 0x00089006, "IPM.Microsoft Mail.Note\0".getBytes(StandardCharsets.US_ASCII)); // attMessageClass
        attribute(out, 2, 0x00069002, new byte[14]); // attAttachRendData: an attachment starts
        attribute(out, 2, 0x00018010, (title + "\0").getBytes(StandardCharsets.ISO_8859_1)); // attAttachTitle
        attribute(out, 2, 0x0006800F, data); // attAttachData
        ByteArrayOutputStream props = new ByteArrayOutputStream();
        le32(props, 1); // one property
        le16(props, 0x001F); // PT_UNICODE
        le16(props, 0x3707); // PR_ATTACH_LONG_FILENAME
        le32(props, 1); // one value
        byte[] name = (longName + "\0").getBytes(StandardCharsets.UTF_16LE);
        le32(props, name.length);
        props.writeBytes(name);
        props.writeBytes(new byte[(4 - name.length % 4) % 4]);
        attribute(out, 2, 0x00069005, props.toByteArray()); // attAttachment
        return out.toByteArray();
    }

    private static void attribute(ByteArrayOutputStream out, int level, int id, byte[] data) {
        out.write(level);
        le32(out, id);
        le32(out, data.length);
        out.writeBytes(data);
        int checksum = 0;
        for (byte b : data) {
            checksum = checksum + (b & 0xff) & 0xffff;
        }
        le16(out, checksum);
    }

    /** A RAR 4 archive with one stored entry, built as WinRAR writes one; {@code encrypted} sets the entry's password flag. */
    public static byte[] rar4(String name, byte[] data, boolean encrypted, boolean encryptedHeaders) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'R', 'a', 'r', '!', 0x1a, 0x07, 0x00});
        ByteArrayOutputStream main = new ByteArrayOutputStream();
        main.write(0x73);
        le16(main, encryptedHeaders ? 0x0080 : 0);
        le16(main, 13);
        le16(main, 0);
        le32(main, 0);
        block4(out, main.toByteArray());
        if (encryptedHeaders) {
            out.writeBytes(new byte[64]); // what follows is encrypted
            return out.toByteArray();
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        int flags = 0x8000 | (encrypted ? 0x0004 | 0x0400 : 0);
        file.write(0x74);
        le16(file, flags);
        le16(file, 32 + nameBytes.length + (encrypted ? 8 : 0));
        le32(file, data.length);
        le32(file, data.length);
        file.write(2); // host OS: Windows
        CRC32 crc = new CRC32();
        crc.update(data);
        le32(file, (int) crc.getValue());
        le32(file, 0x5A210000); // DOS time
        file.write(29); // version 2.9
        file.write(0x30); // stored
        le16(file, nameBytes.length);
        le32(file, 0x20);
        file.writeBytes(nameBytes);
        if (encrypted) {
            file.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}); // salt
        }
        block4(out, file.toByteArray());
        out.writeBytes(data);
        out.writeBytes(new byte[] {(byte) 0xc4, 0x3d, 0x7b, 0x00, 0x40, 0x07, 0x00}); // end of archive
        return out.toByteArray();
    }

    private static void block4(ByteArrayOutputStream out, byte[] header) {
        CRC32 crc = new CRC32();
        crc.update(header);
        le16(out, (int) crc.getValue());
        out.writeBytes(header);
    }

    /** A RAR 5 archive with one stored entry; {@code encrypted} adds its file encryption record, {@code encryptedHeaders} RAR's -hp. */
    public static byte[] rar5(String name, byte[] data, boolean encrypted, boolean encryptedHeaders) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'R', 'a', 'r', '!', 0x1a, 0x07, 0x01, 0x00});
        if (encryptedHeaders) {
            ByteArrayOutputStream encryption = new ByteArrayOutputStream();
            vint(encryption, 4);
            vint(encryption, 0);
            vint(encryption, 0);
            vint(encryption, 0);
            encryption.write(15);
            encryption.writeBytes(new byte[16]);
            block5(out, encryption.toByteArray());
            out.writeBytes(new byte[64]);
            return out.toByteArray();
        }
        ByteArrayOutputStream main = new ByteArrayOutputStream();
        vint(main, 1);
        vint(main, 0);
        vint(main, 0);
        block5(out, main.toByteArray());
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        if (encrypted) {
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            vint(record, 1);
            vint(record, 0);
            vint(record, 0);
            record.write(15);
            record.writeBytes(new byte[32]);
            vint(extra, record.size());
            extra.writeBytes(record.toByteArray());
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        vint(file, 2);
        vint(file, 0x02 | (extra.size() > 0 ? 0x01 : 0));
        if (extra.size() > 0) {
            vint(file, extra.size());
        }
        vint(file, data.length);
        vint(file, 0);
        vint(file, data.length);
        vint(file, 0x20);
        vint(file, 0);
        vint(file, 0);
        vint(file, nameBytes.length);
        file.writeBytes(nameBytes);
        file.writeBytes(extra.toByteArray());
        block5(out, file.toByteArray());
        out.writeBytes(data);
        ByteArrayOutputStream end = new ByteArrayOutputStream();
        vint(end, 5);
        vint(end, 0);
        vint(end, 0);
        block5(out, end.toByteArray());
        return out.toByteArray();
    }

    private static void block5(ByteArrayOutputStream out, byte[] header) {
        ByteArrayOutputStream sized = new ByteArrayOutputStream();
        vint(sized, header.length);
        sized.writeBytes(header);
        CRC32 crc = new CRC32();
        crc.update(sized.toByteArray());
        le32(out, (int) crc.getValue());
        out.writeBytes(sized.toByteArray());
    }

    private static void vint(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    private static void le16(ByteArrayOutputStream out, int value) {
        out.write(value & 0xff);
        out.write(value >>> 8 & 0xff);
    }

    private static void le32(ByteArrayOutputStream out, int value) {
        le16(out, value & 0xffff);
        le16(out, value >>> 16);
    }
}
