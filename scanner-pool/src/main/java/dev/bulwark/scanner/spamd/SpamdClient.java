package dev.bulwark.scanner.spamd;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.ProbeTarget;
import dev.bulwark.scanner.integrity.SelfTest;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.MessageContext;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamVerdict;
import dev.bulwark.scanner.wire.DaemonConnection;
import dev.bulwark.scanner.wire.BoundedRead;
import dev.bulwark.scanner.wire.MessageReadException;
import dev.bulwark.scanner.wire.Printable;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * A client for one spamd daemon speaking SPAMC/1.5: CHECK, SYMBOLS, REPORT, TELL and PING. spamd closes
 * the connection after each request, so every call opens its own; each call has a deadline for the
 * whole exchange. Messages over {@code maxMessageSize} are not sent (SKIPPED). Immutable, thread-safe.
 * As a {@link ProbeTarget}, it answers PING and must score the GTUBE test mail as spam.
 */
public final class SpamdClient implements SpamChecker, ProbeTarget {
    static final String DAEMON = "spamd";
    private static final int MAX_REPLY = 256 * 1024;

    public enum Learn {
        SPAM, HAM
    }

    private final Endpoint endpoint;
    private final SpamdClientConfig config;

    public SpamdClient(Endpoint endpoint, SpamdClientConfig config) {
        this.endpoint = Objects.requireNonNull(endpoint);
        this.config = Objects.requireNonNull(config);
    }

    @Override
    public String daemon() {
        return DAEMON;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    /** GTUBE through a SYMBOLS check must come back as spam. */
    @Override
    public SelfTest selfTest() {
        return new SelfTest.Gtube(this);
    }

    /** Sends PING; throws if spamd does not answer PONG in time. */
    @Override
    public void ping() throws IOException {
        Instant deadline = Instant.now().plus(config.exchangeTimeout());
        try (DaemonConnection connection = DaemonConnection.open(endpoint, timeouts())) {
            connection.output().write("PING SPAMC/1.5\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            connection.output().flush();
            String reply = connection.readAll(MAX_REPLY, deadline).trim();
            if (!reply.matches("SPAMD/\\d+\\.\\d+ 0 PONG")) {
                throw new IOException("spamd at " + endpoint + " answered PING with '" + Printable.of(reply) + "'");
            }
        }
    }

    /** SYMBOLS: the verdict with the rules that hit. SPAMC has no header for the SMTP context: it is not sent. */
    @Override
    public SpamVerdict check(MessageContent content, Optional<String> user, MessageContext context) {
        return check(SpamdCommand.SYMBOLS, content, user);
    }

    public SpamVerdict check(SpamdCommand command, MessageContent content, Optional<String> user) {
        try {
            return checkOrThrow(command, content, user);
        } catch (SocketTimeoutException e) {
            return SpamVerdict.error(timeoutReason(), endpoint);
        } catch (IOException e) {
            return SpamVerdict.error("spamd unreachable: " + e.getMessage(), endpoint);
        }
    }

    /**
     * As {@link #check(SpamdCommand, MessageContent, Optional)}, but a dead connection is thrown, so
     * that a pool can tell it from a bad reply (which is an ERROR verdict).
     */
    SpamVerdict checkOrThrow(SpamdCommand command, MessageContent content, Optional<String> user) throws IOException {
        Optional<byte[]> message;
        try {
            message = read(content);
        } catch (MessageReadException e) {
            return SpamVerdict.error("could not read the message: " + e.getMessage(), endpoint);
        }
        if (message.isEmpty()) {
            return SpamVerdict.skipped("message over " + config.maxMessageSize() + " bytes, not sent to spamd");
        }
        String reply = exchange(command.name(), "", message.get(), user);
        return SpamdReplies.parse(command, reply, endpoint);
    }

    /**
     * TELL: teaches spamd's Bayes database that the message is spam or ham.
     *
     * @return false when spamd changed nothing (already learned)
     */
    public boolean tell(MessageContent content, Learn as, Optional<String> user) throws IOException {
        byte[] message;
        try {
            message = read(content).orElseThrow(() -> new IOException("message over " + config.maxMessageSize() + " bytes"));
        } catch (MessageReadException e) {
            throw new IOException("could not read the message: " + e.getMessage(), e);
        }
        String headers = "Message-class: " + (as == Learn.SPAM ? "spam" : "ham") + "\r\nSet: local\r\n";
        return SpamdReplies.parseTellReply(exchange("TELL", headers, message, user));
    }

    private String exchange(String command, String extraHeaders, byte[] message, Optional<String> user) throws IOException {
        Instant deadline = Instant.now().plus(config.exchangeTimeout());
        try (DaemonConnection connection = DaemonConnection.open(endpoint, timeouts())) {
            OutputStream out = connection.output();
            StringBuilder request = new StringBuilder(command).append(" SPAMC/1.5\r\n")
                .append("Content-length: ").append(message.length).append("\r\n")
                .append(extraHeaders);
            // A user name with spaces or control characters would break the request: left out, defaults apply.
            user.filter(u -> !u.isBlank() && u.chars().allMatch(c -> c > 0x20 && c < 0x7f))
                .ifPresent(u -> request.append("User: ").append(u).append("\r\n"));
            request.append("\r\n");
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(message);
            out.flush();
            connection.shutdownOutput();
            return connection.readAll(MAX_REPLY, deadline);
        }
    }

    /** The whole message, or empty when it is over the size limit (only that much is read). */
    private Optional<byte[]> read(MessageContent content) throws MessageReadException {
        return BoundedRead.upTo(config.maxMessageSize(), content::writeTo);
    }

    private ScannerTimeouts timeouts() {
        return new ScannerTimeouts(config.connectTimeout(), config.exchangeTimeout());
    }

    private String timeoutReason() {
        return "spamd did not answer within " + config.exchangeTimeout().toMillis() + " ms";
    }

    @Override
    public String toString() {
        return "SpamdClient[" + endpoint + "]";
    }
}
