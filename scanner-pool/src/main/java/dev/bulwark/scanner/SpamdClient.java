package dev.bulwark.scanner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A client for one spamd daemon speaking SPAMC/1.5. spamd closes the connection after each request,
 * so every call opens its own. Immutable and thread-safe.
 */
public final class SpamdClient implements SpamChecker {
    private static final int MAX_REPLY = 64 * 1024;

    private final Endpoint endpoint;
    private final ScannerTimeouts timeouts;

    public SpamdClient(Endpoint endpoint, ScannerTimeouts timeouts) {
        this.endpoint = Objects.requireNonNull(endpoint);
        this.timeouts = Objects.requireNonNull(timeouts);
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Sends PING; throws if spamd does not answer PONG. */
    public void ping() throws IOException {
        try (DaemonConnection connection = DaemonConnection.open(endpoint, timeouts)) {
            connection.output().write("PING SPAMC/1.5\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            connection.output().flush();
            String reply = connection.readAll(MAX_REPLY).trim();
            if (!reply.matches("SPAMD/\\d+\\.\\d+ 0 PONG")) {
                throw new IOException("spamd at " + endpoint + " answered PING with '" + ClamdReplies.printable(reply) + "'");
            }
        }
    }

    @Override
    public SpamVerdict check(MessageContent content, Optional<String> user) {
        byte[] message;
        try {
            // spamd needs Content-length up front, so the message is measured before it is sent.
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            content.writeTo(buffer);
            message = buffer.toByteArray();
        } catch (IOException e) {
            return SpamVerdict.error("could not read the message: " + e.getMessage(), endpoint);
        }
        try (DaemonConnection connection = DaemonConnection.open(endpoint, timeouts)) {
            OutputStream out = connection.output();
            StringBuilder request = new StringBuilder("SYMBOLS SPAMC/1.5\r\n")
                .append("Content-length: ").append(message.length).append("\r\n");
            user.filter(u -> !u.isBlank() && u.chars().noneMatch(c -> c < 0x21))
                .ifPresent(u -> request.append("User: ").append(u).append("\r\n"));
            request.append("\r\n");
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(message);
            out.flush();
            connection.shutdownOutput();
            return SpamdReplies.parseSymbolsReply(connection.readAll(MAX_REPLY), endpoint);
        } catch (SocketTimeoutException e) {
            return SpamVerdict.error("spamd did not answer within " + timeouts.read().toMillis() + " ms", endpoint);
        } catch (IOException e) {
            return SpamVerdict.error("spamd unreachable: " + e.getMessage(), endpoint);
        }
    }

    @Override
    public String toString() {
        return "SpamdClient[" + endpoint + "]";
    }
}
