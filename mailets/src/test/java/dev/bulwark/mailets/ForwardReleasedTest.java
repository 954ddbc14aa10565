package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders.Header;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class ForwardReleasedTest {
    private static final Header NOTE = Header.builder().name("X-Bulwark-Virus").value("not scanned: released unscanned by admin: checked").build();
    private static final Header STAMP_BOB = Header.builder().name("X-Bulwark-Stamp").value("bob-stamp").build();
    private static final Header STAMP_ANN = Header.builder().name("X-Bulwark-Stamp").value("ann-stamp").build();

    private static ForwardReleased mailet(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("ForwardReleased");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        ForwardReleased mailet = new ForwardReleased();
        mailet.init(config.build());
        return mailet;
    }

    @Test
    void keepsOneCopyOfEachPerRecipientHeaderAndSendsTheMailToTransport() throws Exception {
        MailAddress bob = new MailAddress("bob@example.com");
        MailAddress ann = new MailAddress("ann@example.com");
        Mail mail = FakeMail.builder().name("m").recipients(bob, ann)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("released").setText("hello")).build();
        // as James 3.8.1's in-memory spool leaves them: every header twice
        for (int copy = 0; copy < 2; copy++) {
            mail.addSpecificHeaderForRecipient(NOTE, bob);
            mail.addSpecificHeaderForRecipient(STAMP_BOB, bob);
            mail.addSpecificHeaderForRecipient(NOTE, ann);
            mail.addSpecificHeaderForRecipient(STAMP_ANN, ann);
        }

        mailet().service(mail);

        assertThat(mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(bob)).containsExactly(NOTE, STAMP_BOB);
        assertThat(mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(ann)).containsExactly(NOTE, STAMP_ANN);
        assertThat(mail.getState()).isEqualTo(Mail.TRANSPORT);
    }

    @Test
    void goesToTheConfiguredProcessor() throws Exception {
        Mail mail = FakeMail.builder().name("m").recipient("bob@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("released").setText("hello")).build();

        mailet("processor", "local-delivery").service(mail);

        assertThat(mail.getState()).isEqualTo("local-delivery");
    }

    @Test
    void refusesAnUnknownParameter() {
        assertThatThrownBy(() -> mailet("procesor", "transport")).isInstanceOf(MessagingException.class)
            .hasMessageContaining("procesor");
    }
}
