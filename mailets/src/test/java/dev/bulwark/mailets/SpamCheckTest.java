package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.MessageContext;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamVerdict;

/** SpamCheck's orchestration with a scripted checker; the real spamd path is in integration-tests. */
class SpamCheckTest {
    private static final Endpoint SPAMD = new Endpoint("127.0.0.1", 783);

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;
    private dev.bulwark.security.SecurityStore store;
    /** The spool: SpamCheck's split-off copies land here. */
    private final List<Mail> spooled = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final org.apache.james.queue.api.MailQueueFactory<?> queues = spool(spooled);

    @SuppressWarnings("unchecked")
    private static org.apache.james.queue.api.MailQueueFactory<?> spool(List<Mail> spooled) {
        org.apache.james.queue.api.MailQueue queue = (org.apache.james.queue.api.MailQueue) java.lang.reflect.Proxy.newProxyInstance(
            SpamCheckTest.class.getClassLoader(), new Class<?>[] {org.apache.james.queue.api.MailQueue.class}, (proxy, method, args) -> {
                if (method.getName().equals("enQueue") && args.length == 1) {
                    spooled.add(((Mail) args[0]).duplicate());
                    return null;
                }
                throw new UnsupportedOperationException(method.getName());
            });
        return (org.apache.james.queue.api.MailQueueFactory<?>) java.lang.reflect.Proxy.newProxyInstance(SpamCheckTest.class.getClassLoader(),
            new Class<?>[] {org.apache.james.queue.api.MailQueueFactory.class}, (proxy, method, args) -> {
                if (method.getName().equals("createQueue")) {
                    return queue;
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }

    @org.junit.jupiter.api.BeforeEach
    void openStore() {
        store = dev.bulwark.security.SecurityStore.open(dev.bulwark.security.SecurityStoreConfig.sqlite(dir.resolve("s.db").toString()),
            java.time.Clock.systemUTC());
    }

    @org.junit.jupiter.api.AfterEach
    void closeStore() {
        store.close();
    }

    private SpamCheck mailet(SpamChecker checker, String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("SpamCheck");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        SpamCheck mailet = new SpamCheck(checker, new RecordedEvents(), store, queues);
        mailet.init(config.build());
        return mailet;
    }

    private static Mail mail() throws MessagingException {
        return FakeMail.builder().name("m1").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("X-Spam-Flag", "NO")
                .setSubject("offer").setText("body"))
            .recipient("bob@example.com").build();
    }

    @Test
    void spamGetsSpamAssassinHeadersReplacingForgedOnes() throws Exception {
        Mail mail = mail();
        mailet((content, user, context) -> SpamVerdict.scored(true, 1000.0, 5.0, List.of("GTUBE", "MSGID_SHORT"), SPAMD)).service(mail);

        assertThat(mail.getMessage().getHeader("X-Spam-Flag")).containsExactly("YES");
        assertThat(mail.getMessage().getHeader("X-Spam-Score")).containsExactly("1000.0");
        assertThat(mail.getMessage().getHeader("X-Spam-Status")).containsExactly("Yes, score=1000.0 required=5.0 tests=GTUBE,MSGID_SHORT");
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.SPAM_SCORE, Double.class)).contains(1000.0);
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.SPAM_STATUS, String.class)).contains("SPAM");
    }

    @Test
    void failedCheckRemovesTheFlagAndSaysSo() throws Exception {
        Mail mail = mail();
        mailet((content, user, context) -> SpamVerdict.error("spamd unreachable", SPAMD)).service(mail);

        assertThat(mail.getMessage().getHeader("X-Spam-Flag")).isNull();
        assertThat(mail.getMessage().getHeader("X-Bulwark-Spam")).containsExactly("not checked: spamd unreachable");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
    }

    @Test
    void oversizeMailIsSkippedNotFlagged() throws Exception {
        Mail mail = mail();
        mailet((content, user, context) -> SpamVerdict.skipped("message over 500 bytes"), "scanFailedProcessor", "spam-hold").service(mail);

        assertThat(mail.getMessage().getHeader("X-Spam-Flag")).isNull();
        assertThat(mail.getMessage().getHeader("X-Bulwark-Spam")).containsExactly("skipped: message over 500 bytes");
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.SPAM_STATUS, String.class)).contains("SKIPPED");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
    }

    @Test
    void failedCheckGoesToTheConfiguredProcessor() throws Exception {
        Mail mail = mail();
        mailet((content, user, context) -> SpamVerdict.error("timeout", SPAMD), "scanFailedProcessor", "spam-hold").service(mail);
        assertThat(mail.getState()).isEqualTo("spam-hold");
    }

    @Test
    void allowListedSendersAndInfectedMailAreNotChecked() throws Exception {
        store.lists().add(dev.bulwark.security.SenderList.ALLOW, dev.bulwark.security.AddressPattern.parse("partner.example"), "");
        SpamChecker mustNotBeCalled = (content, user, context) -> {
            throw new AssertionError("spamd called");
        };
        Mail partner = FakeMail.builder().name("m2").sender("ann@partner.example").recipient("bob@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("offer").setText("body")).build();
        mailet(mustNotBeCalled).service(partner);
        assertThat(partner.getMessage().getHeader("X-Bulwark-Spam")).containsExactly("skipped: sender allow-listed (@partner.example)");

        Mail infected = mail();
        infected.setAttribute(new org.apache.mailet.Attribute(BulwarkAttributes.VIRUS_STATUS, org.apache.mailet.AttributeValue.of("INFECTED")));
        mailet(mustNotBeCalled).service(infected);
        assertThat(infected.getMessage().getHeader("X-Bulwark-Spam")).containsExactly("skipped: already infected");

        Mail checkedAnyway = FakeMail.builder().name("m3").sender("ann@partner.example").recipient("bob@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("offer").setText("body")).build();
        mailet((content, user, context) -> SpamVerdict.scored(false, 0.1, 5.0, List.of(), SPAMD), "skipAllowListed", "false").service(checkedAnyway);
        assertThat(checkedAnyway.getMessage().getHeader("X-Spam-Flag")).containsExactly("NO");
    }

    @Test
    void spamSubjectsAreTaggedOnce() throws Exception {
        Mail mail = mail();
        SpamCheck mailet = mailet((content, user, context) -> SpamVerdict.scored(true, 1000.0, 5.0, List.of("GTUBE"), SPAMD), "subjectTag", "[SPAM]");
        mailet.service(mail);
        mailet.service(mail);
        assertThat(mail.getMessage().getSubject()).isEqualTo("[SPAM] offer");

        Mail ham = mail();
        mailet((content, user, context) -> SpamVerdict.scored(false, 1.0, 5.0, List.of(), SPAMD), "subjectTag", "[SPAM]").service(ham);
        assertThat(ham.getMessage().getSubject()).isEqualTo("offer");
    }

    @Test
    void recipientsWhoDisagreeGetTheirOwnCopy() throws Exception {
        SpamChecker perUser = (content, user, context) -> user.orElseThrow().startsWith("strict")
            ? SpamVerdict.scored(true, 6.0, 5.0, List.of("RULE"), SPAMD)
            : SpamVerdict.scored(false, 6.0, 10.0, List.of("RULE"), SPAMD);
        Mail mail = FakeMail.builder().name("m4").state("root").recipients("easy@example.com", "strict@example.com", "easy2@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("offer").setText("body")).build();

        mailet(perUser, "perRecipient", "true").service(mail);

        assertThat(mail.getRecipients()).extracting(Object::toString).containsExactly("easy@example.com", "easy2@example.com");
        assertThat(mail.getMessage().getHeader("X-Spam-Flag")).containsExactly("NO");
        assertThat(spooled).singleElement().satisfies(copy -> {
            assertThat(copy.getRecipients()).extracting(Object::toString).containsExactly("strict@example.com");
            assertThat(copy.getState()).isEqualTo("root");
            assertThat(AttributeUtils.getValueAndCastFromMail(copy, BulwarkAttributes.SPAM_STATUS, String.class)).contains("SPAM");
        });

        // Back through the processor, the copy reuses its verdict: spamd is not asked again.
        Mail copy = spooled.get(0);
        mailet((content, user, context) -> {
            throw new AssertionError("spamd called again");
        }, "perRecipient", "true").service(copy);
        assertThat(copy.getMessage().getHeader("X-Spam-Flag")).containsExactly("YES");
    }

    /** The engine learns how the mail arrived from what James's SMTP server recorded on it. */
    @Test
    void theCheckerIsToldHowTheMailArrived() throws Exception {
        List<MessageContext> told = new java.util.ArrayList<>();
        Mail mail = FakeMail.builder().name("Mail1733136000000-42").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("offer").setText("body"))
            .sender("newsletter@outside.test").recipient("bob@example.com")
            .remoteAddr("203.0.113.9").remoteHost("mx.outside.test")
            .attribute(new Attribute(Mail.SMTP_HELO, AttributeValue.of("mx.outside.test")))
            .attribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("alice")))
            .build();

        mailet((content, user, context) -> {
            told.add(context);
            return SpamVerdict.scored(false, 0.1, 5.0, List.of(), SPAMD);
        }).service(mail);

        assertThat(told).containsExactly(new MessageContext(Optional.of("203.0.113.9"), Optional.of("mx.outside.test"),
            Optional.of("mx.outside.test"), Optional.of("newsletter@outside.test"), Optional.of("alice"), Optional.of("Mail1733136000000-42"),
            List.of("bob@example.com")));
    }

    /** Each recipient's own check carries the same context; a bounce's null sender is told as such, an unresolved name not at all. */
    @Test
    void everyPerRecipientCheckIsToldHowTheMailArrived() throws Exception {
        List<MessageContext> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        Mail bounce = FakeMail.builder().name("m5").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("Undelivered").setText("body"))
            .recipients("easy@example.com", "strict@example.com")
            .remoteAddr("203.0.113.9").remoteHost("203.0.113.9")
            .build();

        mailet((content, user, context) -> {
            told.add(context);
            return SpamVerdict.scored(false, 0.1, 5.0, List.of(), SPAMD);
        }, "perRecipient", "true").service(bounce);

        assertThat(told).hasSize(2).containsOnly(new MessageContext(Optional.of("203.0.113.9"), Optional.empty(), Optional.empty(),
            Optional.of(MessageContext.NULL_SENDER), Optional.empty(), Optional.of("m5"), List.of("easy@example.com", "strict@example.com")));
    }
}
