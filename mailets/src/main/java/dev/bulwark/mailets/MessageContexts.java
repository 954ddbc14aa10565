package dev.bulwark.mailets;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;

import dev.bulwark.scanner.verdict.MessageContext;

/**
 * How a James mail arrived, as the spam engine is told: the SMTP client's address, name and HELO, the envelope sender
 * (the null sender as {@link MessageContext#NULL_SENDER}), the SMTP-authenticated user, the mail's name and its recipients.
 */
final class MessageContexts {
    private MessageContexts() {
    }

    /**
     * In the pipeline: what James's SMTP server recorded on the mail (its {@code AddDefaultAttributesMessageHook}). A
     * client name James could not resolve is the address again, and is left out.
     */
    static MessageContext of(Mail mail) {
        Optional<String> address = Optional.ofNullable(mail.getRemoteAddr()).filter(a -> !a.isBlank());
        Optional<String> hostname = Optional.ofNullable(mail.getRemoteHost()).filter(h -> !h.isBlank() && !address.equals(Optional.of(h)));
        return new MessageContext(address, hostname, text(mail, Mail.SMTP_HELO), sender(mail), text(mail, Mail.SMTP_AUTH_USER),
            Optional.ofNullable(mail.getName()), recipients(mail));
    }

    /**
     * During the SMTP transaction, from the session: James loads its core handlers after those smtpserver.xml names, so
     * its own hook that records the client on the mail may not have run yet (the mail then names {@code 127.0.0.1}). The
     * client's name only when the server already knows it (no reverse lookup here).
     */
    static MessageContext of(SMTPSession session, Mail mail) {
        Optional<InetSocketAddress> remote = Optional.ofNullable(session.getRemoteAddress());
        Optional<String> address = remote.map(InetSocketAddress::getAddress).map(InetAddress::getHostAddress);
        Optional<String> hostname = remote.map(InetSocketAddress::getHostString).filter(h -> !h.isBlank() && !address.equals(Optional.of(h)));
        Optional<String> helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, ProtocolSession.State.Connection).filter(h -> !h.isBlank());
        Optional<String> user = Optional.ofNullable(session.getUsername()).map(Username::asString);
        return new MessageContext(address, hostname, helo, sender(mail), user, Optional.ofNullable(mail.getName()), recipients(mail));
    }

    private static List<String> recipients(Mail mail) {
        return mail.getRecipients().stream().map(MailAddress::asString).toList();
    }

    private static Optional<String> sender(Mail mail) {
        return mail.getMaybeSender().isNullSender()
            ? Optional.of(MessageContext.NULL_SENDER)
            : mail.getMaybeSender().asOptional().map(MailAddress::asString);
    }

    private static Optional<String> text(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(attribute -> attribute.getValue().value()).filter(String.class::isInstance).map(String.class::cast)
            .filter(value -> !value.isBlank());
    }
}
