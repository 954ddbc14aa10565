package dev.bulwark.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

class HasBannedAttachmentTest {
    private static final byte[] PE = pe();

    private static byte[] pe() {
        byte[] pe = new byte[512];
        pe[0] = 'M';
        pe[1] = 'Z';
        pe[0x3c] = (byte) 0x80;
        pe[0x80] = 'P';
        pe[0x81] = 'E';
        return pe;
    }

    private static HasBannedAttachment matcher(String condition) throws MessagingException {
        HasBannedAttachment matcher = new HasBannedAttachment();
        matcher.init(FakeMatcherConfig.builder().matcherName("HasBannedAttachment").condition(condition).build());
        return matcher;
    }

    private static FakeMail mail(String fileName, byte[] content) throws MessagingException {
        return FakeMail.builder().name("m").recipients("a@example.com", "b@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setMultipartWithBodyParts(
                MimeMessageBuilder.bodyPartBuilder().data("see attached"),
                MimeMessageBuilder.bodyPartBuilder().filename(fileName).data(content).type("application/octet-stream")))
            .build();
    }

    private static String reason(FakeMail mail) {
        return mail.getAttribute(HasBannedAttachment.REASON).map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf).orElse("");
    }

    @Test
    void bannedExtensionsEvenDressedUp() throws Exception {
        HasBannedAttachment matcher = matcher(null);
        byte[] text = "harmless text".getBytes(StandardCharsets.US_ASCII);
        for (String name : new String[] {"setup.exe", "SETUP.EXE", "script.js.", "run.bat  ", "photo\u202Egpj.exe"}) {
            FakeMail mail = mail(name, text);
            assertThat(matcher.match(mail)).as(name).hasSize(2);
            assertThat(reason(mail)).as(name).contains("banned extension .");
        }
        FakeMail doubled = mail("invoice.pdf.exe", text);
        assertThat(matcher.match(doubled)).hasSize(2);
        assertThat(reason(doubled)).isEqualTo("invoice.pdf.exe: double extension .pdf.exe");
    }

    @Test
    void anExecutableIsFoundByItsBytesWhateverItsName() throws Exception {
        FakeMail mail = mail("holiday-photo.jpg", PE);
        assertThat(matcher(null).match(mail)).hasSize(2);
        assertThat(reason(mail)).isEqualTo("holiday-photo.jpg: content is application/x-msdownload");
        // Without the type list, the same bytes pass: detection is what found it.
        assertThat(matcher("types:application/x-never").match(mail("holiday-photo.jpg", PE))).isEmpty();
    }

    @Test
    void lookInsideArchivesAndNestedArchives() throws Exception {
        FakeMail zipped = mail("docs.zip", zip("readme.txt", "hi".getBytes(StandardCharsets.US_ASCII), "tool.scr", "x".getBytes(StandardCharsets.US_ASCII)));
        assertThat(matcher(null).match(zipped)).hasSize(2);
        assertThat(reason(zipped)).contains("docs.zip > tool.scr: banned extension .scr");

        FakeMail nested = mail("outer.zip", zip("inner.zip", zip("payload.dat", PE)));
        assertThat(matcher(null).match(nested)).hasSize(2);
        assertThat(reason(nested)).contains("outer.zip > inner.zip > payload.dat: content is application/x-msdownload");

        assertThat(matcher("archives:false").match(mail("docs.zip", zip("tool.scr", new byte[] {1})))).isEmpty();
    }

    @Test
    void encryptedArchivesAreBannedByDefault() throws Exception {
        byte[] encrypted = encrypt(zip("secret.txt", "classified".getBytes(StandardCharsets.US_ASCII)));
        FakeMail mail = mail("secret.zip", encrypted);
        assertThat(matcher(null).match(mail)).hasSize(2);
        assertThat(reason(mail)).contains("secret.zip: encrypted archive");
        assertThat(matcher("encrypted:false").match(mail("secret.zip", encrypted))).isEmpty();
    }

    @Test
    void cleanMailAndBrokenMimeAreNotBanned() throws Exception {
        assertThat(matcher(null).match(mail("report.pdf", "%PDF-1.4 not really".getBytes(StandardCharsets.US_ASCII)))).isEmpty();
        assertThat(matcher(null).match(mail("notes.txt", "exe is just a word".getBytes(StandardCharsets.US_ASCII)))).isEmpty();
        MimeMessage broken = new MimeMessage(null, new java.io.ByteArrayInputStream(("Content-Type: multipart/mixed; boundary=x\r\n\r\n"
            + "--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@!!!\r\n").getBytes(StandardCharsets.US_ASCII)));
        assertThat(matcher(null).match(FakeMail.builder().name("m").recipients("a@example.com").mimeMessage(broken).build())).isEmpty();
    }

    @Test
    void badConditionsAreStartupErrors() {
        for (String condition : new String[] {"extensions", "colour:red", "archives:maybe", "extensions:e x e", "types:notatype"}) {
            assertThatThrownBy(() -> matcher(condition)).as(condition).isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("mailetcontainer.xml: matcher HasBannedAttachment=" + condition);
        }
    }

    private static byte[] zip(Object... namesAndContents) throws Exception {
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

    /** Sets the "encrypted" flag (general purpose bit 0) in every local and central header, as an encrypting zip tool does. */
    private static byte[] encrypt(byte[] zip) {
        byte[] copy = zip.clone();
        for (int i = 0; i + 8 < copy.length; i++) {
            if (copy[i] == 'P' && copy[i + 1] == 'K' && copy[i + 2] == 3 && copy[i + 3] == 4) {
                copy[i + 6] |= 1; // local header: flags at offset 6
            } else if (copy[i] == 'P' && copy[i + 1] == 'K' && copy[i + 2] == 1 && copy[i + 3] == 2) {
                copy[i + 8] |= 1; // central directory: flags at offset 8
            }
        }
        return copy;
    }
}
