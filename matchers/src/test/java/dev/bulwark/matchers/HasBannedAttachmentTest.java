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

import dev.bulwark.matchers.attachments.AttachmentPolicy;

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
    void eachRecipientsRuntimePolicyAddsItsBannedRulesAndOnlyItsRecipientsMatch() throws Exception {
        dev.bulwark.security.policy.Policy.Banned none = new dev.bulwark.security.policy.Policy.Banned(java.util.List.of(), java.util.List.of(), true, 5);
        dev.bulwark.security.policy.Policy.Banned noPdf = new dev.bulwark.security.policy.Policy.Banned(java.util.List.of("pdf"),
            java.util.List.of("image/*"), true, 5);
        HasBannedAttachment matcher = new HasBannedAttachment(recipient -> recipient.asString().equals("b@example.com") ? noPdf : none);
        matcher.init(FakeMatcherConfig.builder().matcherName("HasBannedAttachment").build());

        FakeMail pdf = mail("invoice.pdf", "%PDF-1.4 harmless".getBytes(StandardCharsets.US_ASCII));
        assertThat(matcher.match(pdf)).extracting(Object::toString).containsExactly("b@example.com");
        assertThat(reason(pdf)).isEqualTo("invoice.pdf: banned extension .pdf");
        assertThat(pdf.getAttribute(HasBannedAttachment.BANNED_FOR)).get().extracting(a -> a.getValue().value()).isEqualTo("b@example.com");
        // A whole top-level type: a PNG by its bytes, whatever its name.
        FakeMail png = mail("notes.txt", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        assertThat(matcher.match(png)).extracting(Object::toString).containsExactly("b@example.com");
        // What the condition bans, every recipient's rules ban: one match for all, no recipient list.
        FakeMail exe = mail("setup.exe", "x".getBytes(StandardCharsets.US_ASCII));
        assertThat(matcher.match(exe)).hasSize(2);
        assertThat(exe.getAttribute(HasBannedAttachment.BANNED_FOR)).isEmpty();
        // An archive in an archive: deeper than b's banned.archives.maxDepth (1), not deeper than the default's (5).
        dev.bulwark.security.policy.Policy.Banned shallow = new dev.bulwark.security.policy.Policy.Banned(java.util.List.of(), java.util.List.of(), true, 1);
        HasBannedAttachment depth = new HasBannedAttachment(recipient -> recipient.asString().equals("b@example.com") ? shallow : none);
        depth.init(FakeMatcherConfig.builder().matcherName("HasBannedAttachment").build());
        FakeMail nested = mail("outer.zip", zip("inner.zip", zip("readme.txt", "hi".getBytes(StandardCharsets.US_ASCII))));
        assertThat(depth.match(nested)).extracting(Object::toString).containsExactly("b@example.com");
        assertThat(reason(nested)).isEqualTo("outer.zip > inner.zip: archive nested deeper than 1 (banned.archives.maxDepth)");
        // Rules that change nothing are the condition's own.
        assertThat(dev.bulwark.matchers.attachments.AttachmentPolicy.DEFAULT.with(none)).isSameAs(dev.bulwark.matchers.attachments.AttachmentPolicy.DEFAULT);
    }

    @Test
    void aRecipientsRuntimePolicyCanLiftABanByName() throws Exception {
        dev.bulwark.security.policy.Policy.Banned none = new dev.bulwark.security.policy.Policy.Banned(java.util.List.of(), java.util.List.of(), true, 5);
        dev.bulwark.security.policy.Policy.Banned scripts = new dev.bulwark.security.policy.Policy.Banned(java.util.List.of("pdf"), java.util.List.of(),
            true, 5, java.util.List.of("cmd", "pdf"));
        HasBannedAttachment matcher = new HasBannedAttachment(recipient -> recipient.asString().equals("b@example.com") ? scripts : none);
        matcher.init(FakeMatcherConfig.builder().matcherName("HasBannedAttachment").build());

        FakeMail script = mail("build.cmd", "echo building\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(matcher.match(script)).extracting(Object::toString).containsExactly("a@example.com");
        assertThat(reason(script)).isEqualTo("build.cmd: banned extension .cmd");
        // Lifted wins over its own extensions too; a ban by real type stays.
        assertThat(matcher.match(mail("invoice.pdf", "%PDF-1.4 harmless".getBytes(StandardCharsets.US_ASCII)))).isEmpty();
        dev.bulwark.security.policy.Policy.Banned exe = new dev.bulwark.security.policy.Policy.Banned(java.util.List.of(), java.util.List.of(),
            true, 5, java.util.List.of("exe"));
        HasBannedAttachment lifted = new HasBannedAttachment(recipient -> exe);
        lifted.init(FakeMatcherConfig.builder().matcherName("HasBannedAttachment").build());
        assertThat(lifted.match(mail("setup.exe", PE))).hasSize(2);
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
        assertThat(matcher("encrypted:deliver").match(mail("secret.zip", encrypted))).isEmpty();
    }

    @Test
    void cleanMailIsNotBannedAndAnUndecodableAttachmentIs() throws Exception {
        assertThat(matcher(null).match(mail("report.pdf", "%PDF-1.4 not really".getBytes(StandardCharsets.US_ASCII)))).isEmpty();
        assertThat(matcher(null).match(mail("notes.txt", "exe is just a word".getBytes(StandardCharsets.US_ASCII)))).isEmpty();
        // javax.mail decodes this to nothing, other decoders to something else: what a client shows was never inspected
        MimeMessage broken = new MimeMessage(null, new java.io.ByteArrayInputStream(("Content-Type: multipart/mixed; boundary=x\r\n\r\n"
            + "--x\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@!!!\r\n").getBytes(StandardCharsets.US_ASCII)));
        FakeMail mail = FakeMail.builder().name("m").recipients("a@example.com").mimeMessage(broken).build();
        assertThat(matcher(null).match(mail)).hasSize(1);
        assertThat(reason(mail)).startsWith("uninspectable: part 1 (application/octet-stream): base64 with a character outside its alphabet");
    }

    @Test
    void whatThePolicyLetsPassIsRecordedWithoutMatching() throws Exception {
        byte[] gzip = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4};
        FakeMail unopened = mail("files.gz", gzip);
        assertThat(matcher(null).match(unopened)).isEmpty();
        assertThat(attribute(unopened, HasBannedAttachment.UNINSPECTED)).isEqualTo("files.gz: gzip archive not inspected");
        assertThat(unopened.getAttribute(HasBannedAttachment.REASON)).isEmpty();

        FakeMail strict = mail("files.gz", gzip);
        assertThat(matcher("unopened:ban").match(strict)).hasSize(2);
        assertThat(attribute(strict, HasBannedAttachment.REASON)).isEqualTo("files.gz: gzip archive not inspected");
        assertThat(strict.getAttribute(HasBannedAttachment.UNINSPECTED)).isEmpty();

        FakeMail clean = mail("a.pdf", "%PDF-1.4".getBytes(StandardCharsets.US_ASCII));
        assertThat(matcher(null).match(clean)).isEmpty();
        assertThat(clean.attributeNames()).isEmpty();
    }

    @Test
    void aDamagedArchiveIsSuspiciousNotBanned() throws Exception {
        FakeMail damaged = mail("broken.zip", "PK\u0003\u0004 not really a zip".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(matcher(null).match(damaged)).hasSize(2);
        assertThat(attribute(damaged, HasBannedAttachment.SUSPICIOUS)).startsWith("damaged: broken.zip: archive cannot be read (");
        assertThat(damaged.getAttribute(HasBannedAttachment.REASON)).isEmpty();
    }

    @Test
    void theMatcherJoinsAllReasons() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").recipients("a@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setMultipartWithBodyParts(
                MimeMessageBuilder.bodyPartBuilder().data("hi"),
                MimeMessageBuilder.bodyPartBuilder().filename("invoice.pdf.exe").data("x".getBytes(StandardCharsets.US_ASCII)).type("application/octet-stream"),
                MimeMessageBuilder.bodyPartBuilder().filename("docs.zip").data(zip("tool.scr", new byte[] {1})).type("application/zip")))
            .build();
        assertThat(matcher(null).match(mail)).hasSize(1);
        assertThat(reason(mail)).isEqualTo("invoice.pdf.exe: double extension .pdf.exe; docs.zip > tool.scr: banned extension .scr");
    }

    @Test
    void theMatcherRecordsThePartsTheFindingsAreIn() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").recipients("a@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setMultipartWithBodyParts(
                MimeMessageBuilder.bodyPartBuilder().data("hi"),
                MimeMessageBuilder.bodyPartBuilder().filename("invoice.pdf.exe").data("x".getBytes(StandardCharsets.US_ASCII)).type("application/octet-stream"),
                MimeMessageBuilder.bodyPartBuilder().filename("report.pdf").data("%PDF-1.4".getBytes(StandardCharsets.US_ASCII)).type("application/pdf"),
                MimeMessageBuilder.bodyPartBuilder().filename("docs.zip").data(zip("tool.scr", new byte[] {1})).type("application/zip")))
            .build();
        assertThat(matcher(null).match(mail)).hasSize(1);
        // Both findings are read again by James's parser for the whole message: still in their parts.
        assertThat(attribute(mail, HasBannedAttachment.BANNED_PARTS)).isEqualTo("2,4");

        FakeMail damaged = mail("broken.zip", "PK\u0003\u0004 not really a zip".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(matcher(null).match(damaged)).hasSize(2);
        assertThat(attribute(damaged, HasBannedAttachment.SUSPICIOUS_PARTS)).isEqualTo("2");
        assertThat(damaged.getAttribute(HasBannedAttachment.BANNED_PARTS)).isEmpty();
    }

    @Test
    void partsAreCountedInNestedMultipartsAndAnAttachedMessageIsOnePart() throws Exception {
        String raw = "From: a@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
            + "--outer\r\nContent-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n"
            + "--inner\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
            + "--inner\r\nContent-Type: application/octet-stream; name=\"setup.exe\"\r\nContent-Disposition: attachment; filename=\"setup.exe\"\r\n\r\nx\r\n"
            + "--inner--\r\n"
            + "--outer\r\nContent-Type: message/rfc822\r\n\r\n"
            + "Subject: forwarded\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n"
            + "--fwd\r\nContent-Type: text/plain\r\n\r\nfwd body\r\n"
            + "--fwd\r\nContent-Type: application/octet-stream; name=\"tool.scr\"\r\nContent-Disposition: attachment; filename=\"tool.scr\"\r\n\r\ny\r\n"
            + "--fwd--\r\n"
            + "--outer--\r\n";
        FakeMail mail = FakeMail.builder().name("m").recipients("a@example.com")
            .mimeMessage(new MimeMessage(null, new java.io.ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)))).build();
        assertThat(matcher(null).match(mail)).hasSize(1);
        assertThat(attribute(mail, HasBannedAttachment.BANNED_PARTS)).isEqualTo("1.2,2");
    }

    @Test
    void aFindingNotInOnePartLeavesThePartsUnrecorded() throws Exception {
        // The message itself is the attachment: there is no part to remove, only the whole mail.
        MimeMessage whole = new MimeMessage(null, new java.io.ByteArrayInputStream(("Subject: x\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: application/octet-stream; name=\"setup.exe\"\r\nContent-Disposition: attachment; filename=\"setup.exe\"\r\n\r\nx\r\n")
            .getBytes(StandardCharsets.US_ASCII)));
        FakeMail mail = FakeMail.builder().name("m").recipients("a@example.com").mimeMessage(whole).build();
        assertThat(matcher(null).match(mail)).hasSize(1);
        assertThat(reason(mail)).contains("setup.exe");
        assertThat(mail.getAttribute(HasBannedAttachment.BANNED_PARTS)).isEmpty();
    }

    @Test
    void badConditionsAreStartupErrors() {
        for (String condition : new String[] {"extensions", "colour:red", "archives:maybe", "extensions:e x e", "types:notatype", "encrypted:true",
            "damaged:quarantine"}) {
            assertThatThrownBy(() -> matcher(condition)).as(condition).isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("mailetcontainer.xml: matcher HasBannedAttachment=" + condition);
        }
        assertThatThrownBy(() -> matcher("extensions:exe;extensions:scr")).isInstanceOf(MessagingException.class)
            .hasMessage("mailetcontainer.xml: matcher HasBannedAttachment=extensions:exe;extensions:scr: 'extensions' is given twice;"
                + " expected key:value pairs separated by ';' with keys extensions, types, archives, encrypted, uninspectable, damaged,"
                + " unopened, e.g. HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;encrypted:ban;uninspectable:ban");
        assertThatThrownBy(() -> matcher("archives:false;encrypted:ban")).isInstanceOf(MessagingException.class)
            .hasMessageContaining("encrypted needs archives:true");
        assertThatThrownBy(() -> matcher("unreadable:true")).isInstanceOf(MessagingException.class)
            .hasMessageContaining("'unreadable' is now 'uninspectable' (MIME parts and limits) and 'damaged' (archives)");
        assertThatThrownBy(() -> matcher("uninspectable:yes")).isInstanceOf(MessagingException.class)
            .hasMessageContaining("uninspectable is 'yes', expected ban, suspicious or deliver");
    }

    @Test
    void conditionsAreReadLeniently() {
        AttachmentPolicy policy = AttachmentPolicy.parse(" extensions: .EXE, scr ,; types: Application/X-MSDownload ; archives:FALSE ;");
        assertThat(policy.extensions()).containsExactlyInAnyOrder("exe", "scr");
        assertThat(policy.types()).containsExactly("application/x-msdownload");
        assertThat(policy.archives()).isFalse();
        assertThat(AttachmentPolicy.parse("")).isEqualTo(AttachmentPolicy.DEFAULT);
        assertThat(AttachmentPolicy.DEFAULT.extensions()).contains("exe", "scr", "js", "iso", "img", "vhd");
        assertThat(AttachmentPolicy.DEFAULT.encrypted()).isEqualTo(AttachmentPolicy.Action.BAN);
        assertThat(AttachmentPolicy.DEFAULT.uninspectable()).isEqualTo(AttachmentPolicy.Action.BAN);
        assertThat(AttachmentPolicy.DEFAULT.damaged()).isEqualTo(AttachmentPolicy.Action.SUSPICIOUS);
        assertThat(AttachmentPolicy.DEFAULT.unopened()).isEqualTo(AttachmentPolicy.Action.DELIVER);
        assertThat(AttachmentPolicy.parse("uninspectable:SUSPICIOUS;damaged:ban").uninspectable()).isEqualTo(AttachmentPolicy.Action.SUSPICIOUS);
    }

    private static String attribute(FakeMail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf).orElseThrow();
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
