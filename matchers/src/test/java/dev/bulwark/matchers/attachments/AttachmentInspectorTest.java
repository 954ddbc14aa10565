package dev.bulwark.matchers.attachments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.tika.Tika;
import org.junit.jupiter.api.Test;

/**
 * The attachment check against what attackers do to get an executable past it: archives that
 * java.util.zip refuses or that say different things to different extractors, names in the other header,
 * messages attached as files, bombs; and what it records when it cannot look inside.
 */
class AttachmentInspectorTest {
    private static final byte[] TEXT = "nothing to see".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PE32 = pe32();
    private static final AttachmentInspector DEFAULT = new AttachmentInspector(AttachmentPolicy.DEFAULT);

    /** A PE32 image header: "MZ", e_lfanew at 0x3c pointing to "PE\0\0" and an i386 machine type. */
    private static byte[] pe32() {
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

    @Test
    void tikaReallyClassifiesTheTestExecutables() {
        assertThat(new Tika().detect(PE32)).isEqualTo("application/x-msdownload; format=pe32");
        assertThat(new Tika().detect(elf(2))).isEqualTo("application/x-executable");
    }

    @Test
    void detectedTypesMatchTheirParentTypes() throws Exception {
        // x-msdownload; format=pe32 is an x-msdownload; x-executable and x-object are kinds of x-elf
        assertThat(DEFAULT.inspect(message("vacation.jpg", PE32))).containsExactly("vacation.jpg: content is application/x-msdownload");
        AttachmentInspector elfOnly = inspector("types:application/x-elf");
        assertThat(elfOnly.inspect(message("a.png", elf(2)))).containsExactly("a.png: content is application/x-executable");
        assertThat(elfOnly.inspect(message("b.png", elf(1)))).containsExactly("b.png: content is application/x-object");
        assertThat(elfOnly.inspect(message("c.png", PE32))).isEmpty();
        assertThat(inspector("types:").inspect(message("d.png", PE32))).isEmpty();
    }

    @Test
    void aStoredEntryWithADataDescriptorThatZipInputStreamRefusesIsStillInspected() throws Exception {
        byte[] zip = storedWithDescriptor("invoice.exe", TEXT);
        assertThatThrownBy(() -> new ZipInputStream(new ByteArrayInputStream(zip)).getNextEntry()).isInstanceOf(ZipException.class);
        assertThat(DEFAULT.inspect(message("docs.zip", zip))).containsExactly("docs.zip > invoice.exe: banned extension .exe");
    }

    @Test
    void aNameHiddenInTheCentralDirectoryOrInTheLocalHeaderIsFound() throws Exception {
        // Explorer and 7-Zip list the central directory, streaming readers the local headers: both count.
        byte[] central = zip("readme.txt", TEXT);
        replaceName(central, 1, 2, "readme.txt", "readme.scr");
        assertThat(DEFAULT.inspect(message("a.zip", central))).containsExactly("a.zip > readme.scr: banned extension .scr");
        byte[] local = zip("readme.txt", TEXT);
        replaceName(local, 3, 4, "readme.txt", "readme.scr");
        assertThat(DEFAULT.inspect(message("b.zip", local))).containsExactly("b.zip > readme.scr: banned extension .scr");
    }

    @Test
    void aZipWithBytesPrependedIsOpenedAsExtractorsOpenIt() throws Exception {
        byte[] zip = zip("tool.scr", TEXT);
        byte[] prefixed = new byte[zip.length + 100];
        Arrays.fill(prefixed, 0, 100, (byte) 'x');
        System.arraycopy(zip, 0, prefixed, 100, zip.length);
        assertThat(DEFAULT.inspect(message("docs.zip", prefixed))).containsExactly("docs.zip > tool.scr: banned extension .scr");
    }

    @Test
    void aLargeBase64ArchiveIsReadToItsEnd() throws Exception {
        // JavaMail's base64 decoder ends InputStream.readNBytes after 8 KB: the entry at the end must still be seen
        byte[] noise = new byte[200_000];
        new Random(4).nextBytes(noise);
        assertThat(DEFAULT.inspect(message("photos.zip", zip("a.raw", noise, "b.raw", noise, "z.vbs", TEXT))))
            .containsExactly("photos.zip > z.vbs: banned extension .vbs");
    }

    @Test
    void skippingAnEntryNeverInflatesIt() throws Exception {
        // 100 MB of zeros (100 KB deflated) before the banned entry: both found (the zeros are a bomb), and no
        // limit hit, since skipping reads nothing; a damaged stream after the first 8 KB proves the rest of the
        // entry is never touched.
        byte[] bomb = zip("zeros.bin", new byte[100 * 1024 * 1024], "after.exe", TEXT);
        AttachmentInspector.Report report = DEFAULT.report(message("bomb.zip", bomb));
        assertThat(report.banned()).containsExactly("bomb.zip > zeros.bin: decompression bomb (100 MB from 99 KB)",
            "bomb.zip > after.exe: banned extension .exe");
        assertThat(report.uninspected()).isEmpty();

        byte[] noise = new byte[100_000];
        new Random(7).nextBytes(noise);
        byte[] damaged = zip("noise.bin", noise, "after.exe", TEXT);
        int data = 30 + "noise.bin".length();
        Arrays.fill(damaged, data + 20_000, data + 90_000, (byte) 0xff);
        report = DEFAULT.report(message("damaged.zip", damaged));
        assertThat(report.banned()).containsExactly("damaged.zip > after.exe: banned extension .exe");
        assertThat(report.uninspected()).isEmpty();
    }

    @Test
    void aNestedArchiveOverTheInflationLimitIsNotInspectedAndRecorded() throws Exception {
        // letters compress about 1.6 to 1: over the limit, but no bomb
        byte[] letters = new byte[AttachmentInspector.MAX_ARCHIVE_BYTES + 1024];
        Random random = new Random(11);
        for (int i = 0; i < letters.length; i++) {
            letters[i] = (byte) ('a' + random.nextInt(26));
        }
        byte[] inner = storedZip("big.bin", letters);
        byte[] outer = zip("inner.zip", inner);
        assertThat(DEFAULT.inspect(message("outer.zip", outer)))
            .containsExactly("uninspectable: outer.zip > inner.zip: over the 50 MB inspection limit, not inspected");
        AttachmentInspector.Report report = inspector("uninspectable:deliver").report(message("outer.zip", outer));
        assertThat(report.banned()).isEmpty();
        assertThat(report.uninspected()).containsExactly("uninspectable: outer.zip > inner.zip: over the 50 MB inspection limit, not inspected");
    }

    @Test
    void archivesNestedBeyondTheLimitAreRecorded() throws Exception {
        byte[] zip = zip("deep.exe", TEXT);
        for (int i = 0; i < 5; i++) {
            zip = zip("level" + i + ".zip", zip);
        }
        AttachmentInspector.Report report = DEFAULT.report(message("top.zip", zip));
        assertThat(report.banned()).singleElement().asString().startsWith("uninspectable: top.zip > ")
            .endsWith("level1.zip: archive nested deeper than 4 not inspected");
        zip = zip("deep.exe", TEXT);
        for (int i = 0; i < 2; i++) {
            zip = zip("level" + i + ".zip", zip);
        }
        assertThat(DEFAULT.inspect(message("top.zip", zip))).containsExactly("top.zip > level1.zip > level0.zip > deep.exe: banned extension .exe");
    }

    @Test
    void encryptedArchivesStillShowTheirNames() throws Exception {
        byte[] encrypted = encrypt(zip("payload.exe", TEXT));
        assertThat(DEFAULT.inspect(message("secret.zip", encrypted)))
            .containsExactly("secret.zip > payload.exe: banned extension .exe", "secret.zip: encrypted archive (its content cannot be scanned)");
        AttachmentInspector allowEncrypted = inspector("encrypted:deliver");
        assertThat(allowEncrypted.inspect(message("secret.zip", encrypted))).containsExactly("secret.zip > payload.exe: banned extension .exe");
        AttachmentInspector.Report report = allowEncrypted.report(message("secret.zip", encrypt(zip("minutes.txt", TEXT))));
        assertThat(report.banned()).isEmpty();
        assertThat(report.uninspected()).containsExactly("secret.zip: encrypted archive (its content cannot be scanned)");
    }

    @Test
    void aDamagedArchiveIsSuspiciousByDefault() throws Exception {
        byte[] garbage = "PK\u0003\u0004 this is not really a zip".getBytes(StandardCharsets.ISO_8859_1);
        AttachmentInspector.Report report = DEFAULT.report(message("broken.zip", garbage));
        assertThat(report.banned()).isEmpty();
        assertThat(report.suspicious()).singleElement().asString().startsWith("damaged: broken.zip: archive cannot be read (");
        assertThat(inspector("damaged:ban").inspect(message("broken.zip", garbage)))
            .singleElement().asString().startsWith("damaged: broken.zip: archive cannot be read (");
        AttachmentInspector.Report delivered = inspector("damaged:deliver").report(message("broken.zip", garbage));
        assertThat(delivered.suspicious()).isEmpty();
        assertThat(delivered.uninspected()).singleElement().asString().startsWith("damaged: broken.zip");
    }

    @Test
    void aTruncatedArchiveStillGivesTheNamesItsLocalHeadersShow() throws Exception {
        byte[] zip = zip("readme.txt", TEXT, "setup.exe", PE32, "more.txt", TEXT);
        byte[] truncated = Arrays.copyOf(zip, zip.length - 150); // the central directory is gone
        assertThat(AttachmentZip.hasDirectory(truncated)).isFalse();
        AttachmentInspector.Report report = DEFAULT.report(message("cut.zip", truncated));
        assertThat(report.banned()).contains("cut.zip > setup.exe: banned extension .exe", "cut.zip > setup.exe: content is application/x-msdownload");
    }

    @Test
    void otherArchiveFormatsAreRecordedAsNotInspected() throws Exception {
        byte[] gzip = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4};
        AttachmentInspector.Report report = DEFAULT.report(message("files.gz", gzip));
        assertThat(report.banned()).isEmpty();
        assertThat(report.uninspected()).containsExactly("files.gz: gzip archive not inspected");
        assertThat(inspector("unopened:ban").inspect(message("files.bin", gzip))).containsExactly("files.bin: gzip archive not inspected");
        assertThat(inspector("archives:false").report(message("files.gz", gzip)).uninspected()).isEmpty();
    }

    @Test
    void theContentTypeNameCountsAsMuchAsTheDispositionFileName() throws Exception {
        MimeMessage message = mime("Content-Type: application/octet-stream; name=\"update.exe\"\r\n"
            + "Content-Disposition: attachment; filename=\"update.txt\"\r\n\r\nhello\r\n");
        assertThat(DEFAULT.inspect(message)).containsExactly("update.exe: banned extension .exe");
        MimeMessage encoded = mime("Content-Type: application/octet-stream\r\n"
            + "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf.js\r\n\r\nhello\r\n");
        assertThat(DEFAULT.inspect(encoded)).containsExactly("résumé.pdf.js: double extension .pdf.js");
    }

    @Test
    void aMultipartOrMessagePartWithABannedNameIsBanned() throws Exception {
        MimeMessage message = mime("Content-Type: message/rfc822; name=\"invoice.exe\"\r\n"
            + "Content-Disposition: attachment; filename=\"invoice.exe\"\r\n\r\nMZ\u0090\u0000 not a message at all\r\n");
        assertThat(DEFAULT.inspect(message)).containsExactly("invoice.exe: banned extension .exe");
    }

    @Test
    void aMessageAttachedAsAFileIsOpened() throws Exception {
        String inner = "From: a@example.com\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n"
            + "--in\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--in\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"run.bat\"\r\n\r\necho\r\n--in--\r\n";
        assertThat(DEFAULT.inspect(message("forward.eml", inner.getBytes(StandardCharsets.US_ASCII)))).containsExactly("run.bat: banned extension .bat");
        assertThat(DEFAULT.inspect(message("notes.dat", inner.getBytes(StandardCharsets.US_ASCII)))).containsExactly("run.bat: banned extension .bat");
    }

    @Test
    void namesCutShortByANulOrDressedUpWithInvisibleCharacters() {
        assertThat(DEFAULT.bannedName("evil.exe\u0000.txt")).contains("evil.exe?.txt: banned extension .exe");
        assertThat(DEFAULT.bannedName("evil.exe\u200b")).contains("evil.exe?: banned extension .exe");
        assertThat(DEFAULT.bannedName("report\u202Efdp.scr")).contains("report?fdp.scr: banned extension .scr");
        assertThat(DEFAULT.bannedName("INVOICE.PDF .EXE . .")).contains("INVOICE.PDF .EXE . .: double extension .pdf.exe");
        assertThat(DEFAULT.bannedName("setup-1.2.3.exe")).contains("setup-1.2.3.exe: banned extension .exe");
        assertThat(DEFAULT.bannedName("C:\\Users\\x\\cv.doc.exe")).get().asString().endsWith("double extension .doc.exe");
        assertThat(DEFAULT.bannedName("cd.iso")).contains("cd.iso: banned extension .iso");
        assertThat(DEFAULT.bannedName("exe")).isEmpty();
        assertThat(DEFAULT.bannedName("report.exe.pdf")).isEmpty();
        assertThat(DEFAULT.bannedName(".exe.txt")).isEmpty();
    }

    @Test
    void tooManyPartsAreRecorded() throws Exception {
        StringBuilder body = new StringBuilder("Content-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (int i = 0; i < AttachmentInspector.MAX_PARTS + 5; i++) {
            body.append("--b\r\nContent-Type: text/plain\r\n\r\npart ").append(i).append("\r\n");
        }
        body.append("--b\r\nContent-Type: application/octet-stream; name=\"late.exe\"\r\n\r\nx\r\n--b--\r\n");
        assertThat(DEFAULT.inspect(mime(body.toString()))).containsExactly("uninspectable: MIME parts after the first 2000");
    }

    @Test
    void cleanArchivesAndDocumentsPassWithNothingRecorded() throws Exception {
        byte[] docx = zip("[Content_Types].xml", "<Types/>".getBytes(StandardCharsets.UTF_8), "word/document.xml",
            "<w:document/>".getBytes(StandardCharsets.UTF_8), "word/media/image1.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        AttachmentInspector.Report report = DEFAULT.report(message("report.docx", docx));
        assertThat(report.banned()).isEmpty();
        assertThat(report.uninspected()).isEmpty();
        assertThat(DEFAULT.report(message("empty.zip", zip())).uninspected()).isEmpty();
    }

    @Test
    void onePartCanBeJudgedOnItsOwn() throws Exception {
        MimeMessage message = message("tools.zip", zip("x.js", TEXT));
        Part attachment = ((Multipart) message.getContent()).getBodyPart(1);
        assertThat(AttachmentInspector.bannedReasons(attachment, AttachmentPolicy.DEFAULT)).containsExactly("tools.zip > x.js: banned extension .js");
        Part body = ((Multipart) message.getContent()).getBodyPart(0);
        assertThat(AttachmentInspector.bannedReasons(body, AttachmentPolicy.DEFAULT)).isEmpty();
    }

    @Test
    void aZipNamedLikeAnAttachedMessageIsStillInspectedAsAZip() throws Exception {
        assertThat(DEFAULT.inspect(message("forward.eml", zip("invoice.exe", TEXT))))
            .containsExactly("forward.eml > invoice.exe: banned extension .exe");
    }

    @Test
    void aDecompressionBombIsBannedWithoutBeingInflated() throws Exception {
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bomb)) {
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 60; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertThat(DEFAULT.inspect(message("bomb.zip", bomb.toByteArray()))).singleElement().asString()
            .startsWith("bomb.zip > zeros.bin: decompression bomb (60 MB from ");

        // Large but ordinary (random bytes barely compress): not a bomb.
        ByteArrayOutputStream large = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(large)) {
            zip.putNextEntry(new ZipEntry("data.bin"));
            byte[] noise = new byte[1024 * 1024];
            Random random = new Random(3);
            for (int i = 0; i < 2; i++) {
                random.nextBytes(noise);
                zip.write(noise);
            }
            zip.closeEntry();
        }
        assertThat(DEFAULT.inspect(message("data.zip", large.toByteArray()))).isEmpty();
    }

    private static AttachmentInspector inspector(String condition) {
        return new AttachmentInspector(AttachmentPolicy.parse(condition));
    }

    /** A message with a text body and one base64 attachment, written out and parsed back as James receives it. */
    private static MimeMessage message(String fileName, byte[] content) throws Exception {
        MimeMessage built = MimeMessageBuilder.mimeMessageBuilder().setMultipartWithBodyParts(
            MimeMessageBuilder.bodyPartBuilder().data("see attached"),
            MimeMessageBuilder.bodyPartBuilder().filename(fileName).data(content).type("application/octet-stream")).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        built.writeTo(out);
        return new MimeMessage(null, new ByteArrayInputStream(out.toByteArray()));
    }

    /** A multipart message around one raw part (its headers and body as given). */
    private static MimeMessage mime(String part) throws Exception {
        String raw = part.startsWith("Content-Type: multipart/")
            ? "MIME-Version: 1.0\r\n" + part
            : "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n" + part + "--b--\r\n";
        return new MimeMessage(null, new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] elf(int type) {
        byte[] elf = new byte[64];
        elf[0] = 0x7f;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        elf[4] = 2;
        elf[5] = 1;
        elf[6] = 1;
        elf[16] = (byte) type;
        return elf;
    }

    private static byte[] zip(Object... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry((String) namesAndContents[i]));
                zip.write((byte[]) namesAndContents[i + 1]);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] storedZip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            ZipEntry entry = new ZipEntry(name);
            entry.setMethod(ZipEntry.STORED);
            CRC32 crc = new CRC32();
            crc.update(content);
            entry.setCrc(crc.getValue());
            entry.setSize(content.length);
            entry.setCompressedSize(content.length);
            zip.putNextEntry(entry);
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    /** One stored entry whose sizes follow its data (general purpose bit 3): valid, and refused by ZipInputStream. */
    private static byte[] storedWithDescriptor(String name, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CRC32 crc = new CRC32();
        crc.update(data);
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        le32(out, 0x04034b50);
        le16(out, 20);
        le16(out, 8);
        le16(out, 0);
        le32(out, 0);
        le32(out, 0);
        le32(out, 0);
        le32(out, 0);
        le16(out, nameBytes.length);
        le16(out, 0);
        out.write(nameBytes);
        out.write(data);
        le32(out, 0x08074b50);
        le32(out, (int) crc.getValue());
        le32(out, data.length);
        le32(out, data.length);
        int directory = out.size();
        le32(out, 0x02014b50);
        le16(out, 20);
        le16(out, 20);
        le16(out, 8);
        le16(out, 0);
        le32(out, 0);
        le32(out, (int) crc.getValue());
        le32(out, data.length);
        le32(out, data.length);
        le16(out, nameBytes.length);
        le16(out, 0);
        le16(out, 0);
        le16(out, 0);
        le16(out, 0);
        le32(out, 0);
        le32(out, 0);
        out.write(nameBytes);
        int directorySize = out.size() - directory;
        le32(out, 0x06054b50);
        le16(out, 0);
        le16(out, 0);
        le16(out, 1);
        le16(out, 1);
        le32(out, directorySize);
        le32(out, directory);
        le16(out, 0);
        return out.toByteArray();
    }

    private static void le16(OutputStream out, int value) throws IOException {
        out.write(value & 0xff);
        out.write(value >>> 8 & 0xff);
    }

    private static void le32(OutputStream out, int value) throws IOException {
        le16(out, value & 0xffff);
        le16(out, value >>> 16);
    }

    /** Rewrites a same-length name after the headers with signature PK{a}{b} (1,2: central directory; 3,4: local). */
    private static void replaceName(byte[] zip, int a, int b, String from, String to) {
        int nameOffset = a == 1 ? 46 : 30;
        byte[] replacement = to.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + nameOffset + from.length() <= zip.length; i++) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == a && zip[i + 3] == b
                && new String(zip, i + nameOffset, from.length(), StandardCharsets.US_ASCII).equals(from)) {
                System.arraycopy(replacement, 0, zip, i + nameOffset, replacement.length);
            }
        }
    }

    /** Sets the "encrypted" flag (general purpose bit 0) in every local and central header. */
    private static byte[] encrypt(byte[] zip) {
        byte[] copy = zip.clone();
        for (int i = 0; i + 8 < copy.length; i++) {
            if (copy[i] == 'P' && copy[i + 1] == 'K' && copy[i + 2] == 3 && copy[i + 3] == 4) {
                copy[i + 6] |= 1;
            } else if (copy[i] == 'P' && copy[i + 1] == 'K' && copy[i + 2] == 1 && copy[i + 3] == 2) {
                copy[i + 8] |= 1;
            }
        }
        return copy;
    }
}
