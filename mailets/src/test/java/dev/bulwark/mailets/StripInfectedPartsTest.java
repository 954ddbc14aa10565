package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.HasBannedAttachment;
import dev.bulwark.scanner.clamd.ClamdPool;
import dev.bulwark.scanner.clamd.ClamdPoolConfig;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;

/** Disinfection against the run's real clamd. */
@ExtendWith(ScannerDaemonsExtension.class)
class StripInfectedPartsTest {
    private static ClamdPool clamd;

    @BeforeAll
    static void pool(ScannerDaemons daemons) {
        clamd = new ClamdPool(ClamdPoolConfig.defaults(List.of(new WeightedEndpoint(new Endpoint(daemons.clamdHost(), daemons.clamdPort()), 1))));
    }

    @AfterAll
    static void close() {
        clamd.close();
    }

    private static StripInfectedParts mailet(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("StripInfectedParts");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        StripInfectedParts mailet = new StripInfectedParts(clamd);
        mailet.init(config.build());
        return mailet;
    }

    private static Mail mail(String raw) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getDefaultInstance(new java.util.Properties()),
            new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
        return FakeMail.builder().name("m1").mimeMessage(message).recipient("bob@example.com").build();
    }

    private static String written(Mail mail) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    private static final String NESTED = "From: a@example.com\r\nTo: bob@example.com\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
        + "--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
        + "--inner\r\nContent-Type: text/plain\r\n\r\nplain body\r\n"
        + "--inner\r\nContent-Type: text/html\r\n\r\n<p>html body</p>\r\n"
        + "--inner--\r\n"
        + "--outer\r\nContent-Type: application/octet-stream; name=\"eicar.com\"\r\nContent-Disposition: attachment; filename=\"eicar.com\"\r\n\r\n"
        + TestSamples.EICAR + "\r\n"
        + "--outer\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n"
        + "--outer\r\nContent-Type: application/x-msdownload; name=\"setup.exe\"\r\nContent-Disposition: attachment; filename=\"setup.exe\"\r\n\r\nMZ not really\r\n"
        + "--outer--\r\n";

    @Test
    void removesTheInfectedAttachmentKeepsTheRestAndSaysWhy() throws Exception {
        Mail mail = mail(NESTED);
        mailet().service(mail);

        String result = written(mail);
        assertThat(result).doesNotContain("EICAR-STANDARD-ANTIVIRUS-TEST-FILE").doesNotContain("eicar.com\"");
        assertThat(result).contains("plain body").contains("<p>html body</p>").contains("report.pdf").contains("setup.exe");
        assertThat(result).contains("eicar.com (infected: Bulwark-Test.EICAR");
        assertThat(VirusScanTest.header(mail)).singleElement().asString().startsWith("cleaned: removed [eicar.com (infected: Bulwark-Test.EICAR");
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.VIRUS_STATUS, String.class)).contains("CLEAN");
        assertThat(clamd.scan(dev.bulwark.scanner.verdict.MessageContent.of(result.getBytes(StandardCharsets.US_ASCII))).isClean()).isTrue();
    }

    @Test
    void bannedExtensionsGoToo() throws Exception {
        Mail mail = mail(NESTED);
        mailet("bannedExtensions", "exe, .scr").service(mail);

        String result = written(mail);
        assertThat(result).doesNotContain("MZ not really").contains("setup.exe (banned file type)").contains("report.pdf");
    }

    @Test
    void virusOutsideAnyAttachmentLeavesTheVerdictForTheQuarantine() throws Exception {
        String raw = "From: a@example.com\r\nTo: bob@example.com\r\nSubject: body\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\n" + TestSamples.EICAR + "\r\n--b--\r\n";
        Mail mail = mail(raw);
        mail.setAttribute(new org.apache.mailet.Attribute(BulwarkAttributes.VIRUS_STATUS, org.apache.mailet.AttributeValue.of("INFECTED")));
        mailet().service(mail);

        assertThat(written(mail)).contains("EICAR-STANDARD-ANTIVIRUS-TEST-FILE");
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.VIRUS_STATUS, String.class)).contains("INFECTED");
    }

    private static final String BANNED = "From: a@example.com\r\nTo: bob@example.com\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
        + "--outer\r\nContent-Type: text/plain\r\n\r\nplain body\r\n"
        + "--outer\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n"
        + "--outer\r\nContent-Type: application/octet-stream; name=\"holiday.jpg\"\r\nContent-Disposition: attachment; filename=\"holiday.jpg\"\r\n\r\nMZ not really\r\n"
        + "--outer--\r\n";

    /** As ApplyPolicy sends mail the attachment check banned (HasBannedAttachment's attributes) to the strip processor. */
    private static Mail banned(String verdict, String parts) throws MessagingException {
        Mail mail = mail(BANNED);
        mail.setAttribute(new org.apache.mailet.Attribute(ApplyPolicy.APPLIED, org.apache.mailet.AttributeValue.of(verdict)));
        mail.setAttribute(new org.apache.mailet.Attribute(verdict.equals("damaged") ? HasBannedAttachment.SUSPICIOUS : HasBannedAttachment.REASON,
            org.apache.mailet.AttributeValue.of("holiday.jpg: content is application/x-msdownload")));
        if (parts != null) {
            mail.setAttribute(new org.apache.mailet.Attribute(verdict.equals("damaged") ? HasBannedAttachment.SUSPICIOUS_PARTS
                : HasBannedAttachment.BANNED_PARTS, org.apache.mailet.AttributeValue.of(parts)));
        }
        return mail;
    }

    @Test
    void bannedStripRemovesThePartsTheAttachmentCheckFoundWhateverTheirName() throws Exception {
        Mail mail = banned("banned", "3");
        mailet().service(mail);

        assertThat(mail.getState()).isNotEqualTo(Mail.GHOST);
        String result = written(mail);
        assertThat(result).doesNotContain("MZ not really").contains("holiday.jpg (banned by the attachment policy)")
            .contains("plain body").contains("report.pdf").contains(StripInfectedParts.NOTICE_HEADER + ": removed-attachments");
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.REMOVED_PARTS, String.class))
            .contains("[holiday.jpg (banned by the attachment policy)]");
        // The findings went with their part: a check of what is left judges it afresh, not by them (their section
        // numbers no longer fit the message, and "banned" applied would let a new finding through).
        assertThat(mail.getAttribute(HasBannedAttachment.REASON)).isEmpty();
        assertThat(mail.getAttribute(HasBannedAttachment.BANNED_PARTS)).isEmpty();
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, ApplyPolicy.APPLIED, String.class)).contains("");
    }

    @Test
    void damagedStripRemovesTheDamagedPart() throws Exception {
        Mail mail = banned("damaged", "3");
        mailet().service(mail);

        assertThat(mail.getState()).isNotEqualTo(Mail.GHOST);
        assertThat(written(mail)).doesNotContain("MZ not really").contains("holiday.jpg (suspicious to the attachment check)");
    }

    @Test
    void mimeTooBrokenToTakeApartIsKeptInTheQuarantineOnlyNeverThrownToTheErrorProcessor() throws Exception {
        // A nested multipart without a boundary: javax.mail throws when asked for its parts. Thrown on, James's error
        // processor would bounce the whole mail to a sender who may be forged.
        Mail broken = mail("From: a@example.com\r\nTo: bob@example.com\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
            + "--outer\r\nContent-Type: text/plain\r\n\r\nplain body\r\n"
            + "--outer\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here\r\n"
            + "--outer--\r\n");

        mailet().service(broken);

        assertThat(broken.getState()).isEqualTo(Mail.GHOST);
    }

    @Test
    void findingsNotInOnePartOrAPartNotThereKeepTheMailInTheQuarantineOnly() throws Exception {
        Mail unlocated = banned("banned", null);
        mailet().service(unlocated);
        assertThat(unlocated.getState()).isEqualTo(Mail.GHOST);

        Mail missing = banned("banned", "3,7");
        mailet().service(missing);
        assertThat(missing.getState()).isEqualTo(Mail.GHOST);

        Mail empty = banned("banned", "");
        mailet().service(empty);
        assertThat(empty.getState()).isEqualTo(Mail.GHOST);
    }

    @Test
    void mailSentHereForAVirusIgnoresTheAttachmentChecksFindings() throws Exception {
        // Content clamd found encrypted: VirusScan records a banned reason, the encrypted verdict sent the mail here.
        Mail mail = banned("encrypted", null);
        mailet().service(mail);
        assertThat(mail.getState()).isNotEqualTo(Mail.GHOST);
        // What goes is what clamd calls infected or suspicious part by part (this fake executable: a broken one).
        assertThat(written(mail)).doesNotContain("banned by the attachment policy").contains("holiday.jpg (suspicious: Heuristics.Broken.Executable)");
    }
}
