package dev.bulwark.scanner.verdict;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the receiving mail server knew of a message beside its bytes: who handed it over and how. A spam engine
 * whose protocol has a place for these facts (rspamd) judges the client's address, name and greeting and the
 * envelope sender as a mail server's milter would; without them it sees mail from nowhere. Values as the server
 * recorded them, unchecked: a client that sends them on keeps only what its protocol can carry.
 *
 * @param clientAddress     the SMTP client's IP address, as text ({@code 203.0.113.9}, {@code 2001:db8::1})
 * @param clientHostname    the SMTP client's host name as the server resolved it; empty when it did not
 * @param helo              the name the client gave in HELO or EHLO
 * @param sender            the envelope sender (MAIL FROM); {@link #NULL_SENDER} for the null reverse-path of a bounce
 * @param authenticatedUser the user the client authenticated as (SMTP AUTH)
 * @param queueId           the server's name for the message, for the engine's log
 * @param recipients        the envelope recipients (RCPT TO), for a check of the whole mail; a check for one recipient
 *                          names that one instead
 */
public record MessageContext(Optional<String> clientAddress, Optional<String> clientHostname, Optional<String> helo,
                             Optional<String> sender, Optional<String> authenticatedUser, Optional<String> queueId,
                             List<String> recipients) {
    /** The envelope sender of a bounce: MAIL FROM:&lt;&gt;. */
    public static final String NULL_SENDER = "";
    /** Nothing known: a check of bytes alone (self-tests, rescans). */
    public static final MessageContext NONE = new MessageContext(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), List.of());

    public MessageContext {
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(clientHostname, "clientHostname");
        Objects.requireNonNull(helo, "helo");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(authenticatedUser, "authenticatedUser");
        Objects.requireNonNull(queueId, "queueId");
        recipients = List.copyOf(recipients);
    }

    /** Without the envelope recipients: a check made for one recipient at a time, or where they are not known. */
    public MessageContext(Optional<String> clientAddress, Optional<String> clientHostname, Optional<String> helo,
                          Optional<String> sender, Optional<String> authenticatedUser, Optional<String> queueId) {
        this(clientAddress, clientHostname, helo, sender, authenticatedUser, queueId, List.of());
    }
}
