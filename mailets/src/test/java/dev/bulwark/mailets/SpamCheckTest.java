package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import javax.mail.MessagingException;

import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.junit.jupiter.api.Test;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.scanner.Endpoint;
import dev.bulwark.scanner.SpamChecker;
import dev.bulwark.scanner.SpamVerdict;

/** SpamCheck's orchestration with a scripted checker; the real spamd path is in integration-tests. */
class SpamCheckTest {
    private static final Endpoint SPAMD = new Endpoint("127.0.0.1", 783);

    private static SpamCheck mailet(SpamChecker checker, String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("SpamCheck");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        SpamCheck mailet = new SpamCheck(checker, new RecordedEvents());
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
        mailet((content, user) -> SpamVerdict.scored(true, 1000.0, 5.0, List.of("GTUBE", "MSGID_SHORT"), SPAMD)).service(mail);

        assertThat(mail.getMessage().getHeader("X-Spam-Flag")).containsExactly("YES");
        assertThat(mail.getMessage().getHeader("X-Spam-Score")).containsExactly("1000.0");
        assertThat(mail.getMessage().getHeader("X-Spam-Status")).containsExactly("Yes, score=1000.0 required=5.0 tests=GTUBE,MSGID_SHORT");
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.SPAM_SCORE, Double.class)).contains(1000.0);
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.SPAM_STATUS, String.class)).contains("SPAM");
    }

    @Test
    void failedCheckRemovesTheFlagAndSaysSo() throws Exception {
        Mail mail = mail();
        mailet((content, user) -> SpamVerdict.error("spamd unreachable", SPAMD)).service(mail);

        assertThat(mail.getMessage().getHeader("X-Spam-Flag")).isNull();
        assertThat(mail.getMessage().getHeader("X-Bulwark-Spam")).containsExactly("not checked: spamd unreachable");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
    }

    @Test
    void oversizeMailIsSkippedNotFlagged() throws Exception {
        Mail mail = mail();
        mailet((content, user) -> SpamVerdict.skipped("message over 500 bytes"), "scanFailedProcessor", "spam-hold").service(mail);

        assertThat(mail.getMessage().getHeader("X-Spam-Flag")).isNull();
        assertThat(mail.getMessage().getHeader("X-Bulwark-Spam")).containsExactly("skipped: message over 500 bytes");
        assertThat(AttributeUtils.getValueAndCastFromMail(mail, BulwarkAttributes.SPAM_STATUS, String.class)).contains("SKIPPED");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
    }

    @Test
    void failedCheckGoesToTheConfiguredProcessor() throws Exception {
        Mail mail = mail();
        mailet((content, user) -> SpamVerdict.error("timeout", SPAMD), "scanFailedProcessor", "spam-hold").service(mail);
        assertThat(mail.getState()).isEqualTo("spam-hold");
    }
}
