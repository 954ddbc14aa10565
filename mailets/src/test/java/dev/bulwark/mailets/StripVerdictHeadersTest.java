package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class StripVerdictHeadersTest {
    private static StripVerdictHeaders mailet(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("StripVerdictHeaders");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        StripVerdictHeaders mailet = new StripVerdictHeaders();
        mailet.init(config.build());
        return mailet;
    }

    private static Mail forged() throws MessagingException {
        return FakeMail.builder().name("m").recipient("bob@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("X-Spam-Flag", "NO").addHeader("x-spam-status", "No, score=-5")
                .addHeader("X-Bulwark-Virus", "clean (forged)").addHeader("X-Virus-Scanned", "by us, honest")
                .addHeader("X-MessageIsInfected", "false").addHeader("X-Mailer", "kept")
                .setSubject("hi").setText("body"))
            .build();
    }

    @Test
    void removesEveryVerdictHeaderByDefault() throws Exception {
        Mail mail = forged();
        mailet().service(mail);

        for (String name : new String[] {"X-Spam-Flag", "X-Spam-Status", "X-Bulwark-Virus", "X-Virus-Scanned", "X-MessageIsInfected"}) {
            assertThat(mail.getMessage().getHeader(name)).as(name).isNull();
        }
        assertThat(mail.getMessage().getHeader("X-Mailer")).containsExactly("kept");
    }

    @Test
    void canKeepThemRenamedAndTakeItsOwnList() throws Exception {
        Mail mail = forged();
        mailet("headers", "X-Spam-Flag, X-Virus-*", "renameTo", "X-Untrusted-").service(mail);

        assertThat(mail.getMessage().getHeader("X-Spam-Flag")).isNull();
        assertThat(mail.getMessage().getHeader("X-Untrusted-X-Spam-Flag")).containsExactly("NO");
        assertThat(mail.getMessage().getHeader("X-Untrusted-X-Virus-Scanned")).containsExactly("by us, honest");
        assertThat(mail.getMessage().getHeader("X-Bulwark-Virus")).as("not in this list").isNotNull();
    }

    @Test
    void badParametersAreStartupErrors() {
        assertThatThrownBy(() -> mailet("headers", "X-Spam Flag")).hasMessageContaining("parameter 'headers'");
        assertThatThrownBy(() -> mailet("renameTo", "X Untrusted")).hasMessageContaining("parameter 'renameTo'");
        assertThatThrownBy(() -> mailet("header", "X-Spam-*")).hasMessageContaining("unknown parameter [header]");
    }
}
