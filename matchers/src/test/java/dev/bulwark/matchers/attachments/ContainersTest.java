package dev.bulwark.matchers.attachments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.matchers.testing.HostileMime;

/**
 * Containers other than zip: RAR (file lists and encryption read from the headers), 7z (encryption
 * read from the header; archives made at test time with Debian's 7-Zip, 7zz), and Outlook's
 * winmail.dat (TNEF). Encrypted ones are banned, damaged ones suspicious, by default.
 */
class ContainersTest {
    private static final byte[] TEXT = "just some text\n".getBytes(StandardCharsets.US_ASCII);
    private static final AttachmentInspector DEFAULT = new AttachmentInspector(AttachmentPolicy.DEFAULT);

    @TempDir
    Path dir;

    @Test
    void rarFileListsAreCheckedForBannedNames() throws Exception {
        for (byte[] rar : List.of(HostileMime.rar4("setup.exe", TEXT, false, false), HostileMime.rar5("setup.exe", TEXT, false, false))) {
            AttachmentInspector.Report report = DEFAULT.report(message("files.rar", rar));
            assertThat(report.banned()).containsExactly("files.rar > setup.exe: banned extension .exe");
            assertThat(report.uninspected()).containsExactly("files.rar: RAR archive content not inspected (its file names are)");
        }
        AttachmentInspector.Report clean = DEFAULT.report(message("files.rar", HostileMime.rar5("minutes.txt", TEXT, false, false)));
        assertThat(clean.banned()).isEmpty();
        assertThat(clean.suspicious()).isEmpty();
    }

    @Test
    void encryptedRarIsBannedWhateverItsVersion() throws Exception {
        assertThat(DEFAULT.inspect(message("a.rar", HostileMime.rar4("minutes.txt", TEXT, true, false))))
            .containsExactly("a.rar: encrypted RAR archive (its content cannot be scanned)");
        assertThat(DEFAULT.inspect(message("b.rar", HostileMime.rar5("minutes.txt", TEXT, true, false))))
            .containsExactly("b.rar: encrypted RAR archive (its content cannot be scanned)");
        assertThat(DEFAULT.inspect(message("c.rar", HostileMime.rar4("x", TEXT, false, true))))
            .containsExactly("c.rar: RAR archive with an encrypted file list (its content cannot be scanned)");
        assertThat(DEFAULT.inspect(message("d.bin", HostileMime.rar5("x", TEXT, false, true))))
            .containsExactly("d.bin: RAR archive with an encrypted file list (its content cannot be scanned)");
        assertThat(new AttachmentInspector(AttachmentPolicy.parse("encrypted:deliver")).inspect(message("b.rar",
            HostileMime.rar5("minutes.txt", TEXT, true, false)))).isEmpty();
    }

    @Test
    void aDamagedRarIsSuspicious() throws Exception {
        byte[] rar = HostileMime.rar5("minutes.txt", TEXT, false, false);
        int name = new String(rar, StandardCharsets.ISO_8859_1).indexOf("minutes.txt");
        rar[name] ^= 0x20; // the file name changes under its header checksum
        AttachmentInspector.Report report = DEFAULT.report(message("files.rar", rar));
        assertThat(report.banned()).isEmpty();
        assertThat(report.suspicious()).singleElement().asString().startsWith("damaged: files.rar: RAR archive cannot be read (");
        byte[] truncated = java.util.Arrays.copyOf(HostileMime.rar4("minutes.txt", TEXT, false, false), 30);
        assertThat(DEFAULT.report(message("cut.rar", truncated)).suspicious()).singleElement().asString().startsWith("damaged: cut.rar");
    }

    @Test
    void encrypted7zIsBannedWhenItsHeaderShowsIt() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "classified");
        byte[] headersEncrypted = sevenZip("he.7z", "-pPass123", "-mhe=on", secret.toString());
        byte[] contentEncrypted = sevenZip("ce.7z", "-pPass123", secret.toString());
        byte[] plain = sevenZip("plain.7z", secret.toString());

        assertThat(DEFAULT.inspect(message("he.7z", headersEncrypted))).containsExactly("he.7z: encrypted 7z archive (its content cannot be scanned)");
        assertThat(DEFAULT.inspect(message("ce.7z", contentEncrypted))).containsExactly("ce.7z: encrypted 7z archive (its content cannot be scanned)");
        AttachmentInspector.Report report = DEFAULT.report(message("plain.7z", plain));
        assertThat(report.banned()).isEmpty();
        assertThat(report.uninspected()).containsExactly("plain.7z: 7z archive not inspected");
        assertThat(DEFAULT.report(message("cut.7z", java.util.Arrays.copyOf(plain, plain.length - 10))).suspicious())
            .singleElement().asString().startsWith("damaged: cut.7z: 7z archive cannot be read (");
    }

    @Test
    void aZipInsideAZipCanHoldARar() throws Exception {
        byte[] zip = zip("inner.rar", HostileMime.rar5("payload.scr", TEXT, false, false));
        assertThat(DEFAULT.inspect(message("outer.zip", zip))).containsExactly("outer.zip > inner.rar > payload.scr: banned extension .scr");
    }

    @Test
    void winmailDatShowsItsAttachments() throws Exception {
        byte[] tnef = HostileMime.tnef("INVOIC~1.PDF", "invoice.pdf.exe", TEXT);
        assertThat(DEFAULT.inspect(message("winmail.dat", tnef))).containsExactly("winmail.dat > invoice.pdf.exe: double extension .pdf.exe");
        byte[] zipped = HostileMime.tnef("TOOLS.ZIP", "tools.zip", zip("run.bat", TEXT));
        assertThat(DEFAULT.inspect(message("winmail.dat", zipped))).containsExactly("winmail.dat > tools.zip > run.bat: banned extension .bat");
        assertThat(DEFAULT.report(message("winmail.dat", HostileMime.tnef("REPORT.PDF", "report.pdf", TEXT))).banned()).isEmpty();
    }

    @Test
    void aBrokenWinmailDatIsUninspectable() throws Exception {
        byte[] tnef = HostileMime.tnef("REPORT.PDF", "report.pdf", TEXT);
        byte[] cut = java.util.Arrays.copyOf(tnef, tnef.length - 20);
        assertThat(DEFAULT.inspect(message("winmail.dat", cut))).singleElement().asString()
            .startsWith("uninspectable: winmail.dat: TNEF (winmail.dat) cannot be read (");
        assertThatThrownBy(() -> Tnef.attachments("not tnef at all".getBytes(StandardCharsets.US_ASCII))).isInstanceOf(Tnef.TnefException.class);
    }

    private byte[] sevenZip(String name, String... arguments) throws IOException, InterruptedException {
        Path archive = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("7zz", "a", "-bd", "-y", archive.toString()));
        command.addAll(2, List.of(arguments).subList(0, arguments.length - 1));
        command.add(arguments[arguments.length - 1]);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("7zz (Debian package 7zip, scripts/install-deps.sh): " + output).isZero();
        return Files.readAllBytes(archive);
    }

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static MimeMessage message(String fileName, byte[] content) throws Exception {
        MimeMessage built = MimeMessageBuilder.mimeMessageBuilder().setMultipartWithBodyParts(
            MimeMessageBuilder.bodyPartBuilder().data("see attached"),
            MimeMessageBuilder.bodyPartBuilder().filename(fileName).data(content).type("application/octet-stream")).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        built.writeTo(out);
        return new MimeMessage(null, new ByteArrayInputStream(out.toByteArray()));
    }
}
