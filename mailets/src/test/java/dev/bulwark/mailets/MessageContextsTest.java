package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

import dev.bulwark.scanner.verdict.MessageContext;

/** What SmtpScanHook tells the spam engine during the SMTP transaction: the session's facts, not the mail's defaults yet. */
class MessageContextsTest {

    @Test
    void duringTheSmtpTransactionTheSessionSaysWhoTheClientIs() throws Exception {
        // James has not recorded the client on the mail yet: it still names 127.0.0.1, which must not reach the engine.
        Mail mail = FakeMail.builder().name("Mail1733136000000-42").sender("newsletter@outside.test").recipient("bob@example.com")
            .remoteAddr("127.0.0.1").remoteHost("localhost")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("offer").setText("body")).build();
        SMTPSession session = session(new InetSocketAddress(InetAddress.getByAddress("mx.outside.test", new byte[] {(byte) 203, 0, 113, 9}), 40123),
            "mx.outside.test", "alice");

        assertThat(MessageContexts.of(session, mail)).isEqualTo(new MessageContext(Optional.of("203.0.113.9"), Optional.of("mx.outside.test"),
            Optional.of("mx.outside.test"), Optional.of("newsletter@outside.test"), Optional.of("alice"), Optional.of("Mail1733136000000-42"),
            List.of("bob@example.com")));
    }

    @Test
    void anUnresolvedClientIsItsAddressOnlyAndABounceHasTheNullSender() throws Exception {
        Mail bounce = FakeMail.builder().name("m2").sender(MaybeSender.nullSender()).recipient("bob@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("Undelivered").setText("body")).build();
        SMTPSession session = session(new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 9}), 40123), null, null);

        assertThat(MessageContexts.of(session, bounce)).isEqualTo(new MessageContext(Optional.of("203.0.113.9"), Optional.empty(),
            Optional.empty(), Optional.of(MessageContext.NULL_SENDER), Optional.empty(), Optional.of("m2"), List.of("bob@example.com")));
    }

    /** An SMTP session that knows its client, the HELO name and the authenticated user; nothing else is asked of it. */
    private static SMTPSession session(InetSocketAddress client, String helo, String user) {
        return (SMTPSession) Proxy.newProxyInstance(MessageContextsTest.class.getClassLoader(), new Class<?>[] {SMTPSession.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "getRemoteAddress" -> client;
                case "getAttachment" -> args[0] == SMTPSession.CURRENT_HELO_NAME ? Optional.ofNullable(helo) : Optional.empty();
                case "getUsername" -> user == null ? null : Username.of(user);
                default -> throw new UnsupportedOperationException(method.getName());
            });
    }
}
