package dev.bulwark.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.security.AddressPattern;
import dev.bulwark.security.OutbreakDetector;
import dev.bulwark.security.OutbreakSettings;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SecurityStoreConfig;
import dev.bulwark.security.SenderList;
import dev.bulwark.security.policy.Policy;

/** Matchers reading the security store (a real SQLite file) and the outbreak detector. */
class StoreMatchersTest {
    @TempDir
    Path dir;
    private SecurityStore store;

    @BeforeEach
    void open() {
        store = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("s.db").toString()), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static <T extends org.apache.mailet.base.GenericMatcher> T init(T matcher, String condition) throws MessagingException {
        matcher.init(FakeMatcherConfig.builder().matcherName(matcher.getClass().getSimpleName()).condition(condition).build());
        return matcher;
    }

    @Test
    void senderListsMatchTheEnvelopeSenderAndSayWhichEntry() throws MessagingException {
        store.lists().add(SenderList.ALLOW, AddressPattern.parse("partner.example"), "");
        store.lists().add(SenderList.BLOCK, AddressPattern.parse("*@*.spam.test"), "");
        SenderInAllowList allow = init(new SenderInAllowList(store), null);
        SenderInBlockList block = init(new SenderInBlockList(store), null);

        FakeMail partner = FakeMail.builder().name("m").sender("ann@Partner.example").recipients("a@example.com", "b@example.com").build();
        assertThat(allow.match(partner)).hasSize(2);
        assertThat(partner.getAttribute(SenderListMatcher.LISTED)).contains(new Attribute(SenderListMatcher.LISTED, AttributeValue.of("allow:@partner.example")));
        assertThat(block.match(partner)).isEmpty();
        assertThat(block.match(FakeMail.builder().name("m").sender("x@mx.spam.test").recipients("a@example.com").build())).hasSize(1);
        assertThat(allow.match(FakeMail.builder().name("m").recipients("a@example.com").build())).as("null sender").isEmpty();
        // The From: header is not the envelope: a forged header does not get the mail allowed.
        assertThat(allow.match(FakeMail.builder().name("m").sender("mallory@evil.test").recipients("a@example.com")
            .mimeMessage(org.apache.james.core.builder.MimeMessageBuilder.mimeMessageBuilder().addFrom("ann@partner.example").setText("x"))
            .build())).isEmpty();
    }

    @Test
    void recipientInGroupMatchesOnlyMembers() throws MessagingException {
        store.groups().add("finance", AddressPattern.parse("bob@example.com"));
        store.groups().add("finance", AddressPattern.parse("accounting.example.com"));
        RecipientInGroup finance = init(new RecipientInGroup(store), "finance");

        FakeMail mail = FakeMail.builder().name("m").recipients("bob@example.com", "carol@example.com", "eve@accounting.example.com").build();
        assertThat(finance.match(mail)).extracting(Object::toString).containsExactly("bob@example.com", "eve@accounting.example.com");
        assertThatThrownBy(() -> init(new RecipientInGroup(store), "Finance Team"))
            .isInstanceOf(MessagingException.class).hasMessageContaining("RecipientInGroup=Finance Team").hasMessageContaining("not a group name");
        assertThatThrownBy(() -> init(new RecipientInGroup(store), null)).isInstanceOf(MessagingException.class);
    }

    @Test
    void inOutbreakMatchesWhileAnOutbreakIsOn() throws MessagingException {
        OutbreakDetector detector = new OutbreakDetector(new OutbreakSettings(Duration.ofMinutes(10), 1, 100, Duration.ofMinutes(30)),
            Clock.systemUTC(), event -> { });
        InOutbreak matcher = init(new InOutbreak(detector, () -> Policy.OutbreakMode.NOTIFY), null);
        FakeMail mail = FakeMail.builder().name("m").recipients("a@example.com").build();

        assertThat(matcher.match(mail)).isEmpty();
        detector.detected(List.of("Worm"));
        detector.detected(List.of("Worm"));
        assertThat(matcher.match(mail)).hasSize(1);
    }

    @Test
    void inOutbreakWithAttachmentsMatchesMailWithAttachmentsOnlyInQuarantineMode() throws Exception {
        OutbreakDetector detector = new OutbreakDetector(new OutbreakSettings(Duration.ofMinutes(10), 1, 100, Duration.ofMinutes(30)),
            Clock.systemUTC(), event -> { });
        java.util.concurrent.atomic.AtomicReference<Policy.OutbreakMode> mode = new java.util.concurrent.atomic.AtomicReference<>(Policy.OutbreakMode.QUARANTINE);
        InOutbreak matcher = init(new InOutbreak(detector, mode::get), "attachments");
        FakeMail attached = mail("""
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            see attached
            --b
            Content-Type: application/octet-stream; name=report.pdf

            data
            --b--
            """);
        FakeMail plain = mail("Content-Type: text/plain\n\nno attachment\n");

        assertThat(matcher.match(attached)).isEmpty(); // no outbreak
        detector.detected(List.of("Worm"));
        detector.detected(List.of("Worm"));
        assertThat(matcher.match(attached)).hasSize(1);
        assertThat(matcher.match(plain)).isEmpty();
        attached.setAttribute(new Attribute(InOutbreak.RESCANNED, AttributeValue.of("rescan")));
        assertThat(matcher.match(attached)).as("back from the rescan that ended its hold").isEmpty();
        attached.removeAttribute(InOutbreak.RESCANNED);
        mode.set(Policy.OutbreakMode.NOTIFY);
        assertThat(matcher.match(attached)).isEmpty();
        assertThatThrownBy(() -> init(new InOutbreak(detector, mode::get), "archives")).isInstanceOf(MessagingException.class)
            .hasMessageContaining("InOutbreak=archives");
    }

    private static FakeMail mail(String raw) throws Exception {
        javax.mail.internet.MimeMessage message = new javax.mail.internet.MimeMessage(javax.mail.Session.getDefaultInstance(new java.util.Properties()),
            new java.io.ByteArrayInputStream(("From: a@outside.test\nSubject: s\nMIME-Version: 1.0\n" + raw).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        return FakeMail.builder().name("m").recipients("a@example.com").mimeMessage(message).build();
    }
}
