package dev.bulwark.scanner.clamd;

import java.io.IOException;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.wire.BadReplyException;
import dev.bulwark.scanner.wire.DaemonConnection;
import dev.bulwark.scanner.wire.MessageReadException;
import dev.bulwark.scanner.wire.Printable;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * One persistent clamd connection in IDSESSION mode: many commands, one TCP connection. clamd prefixes
 * each reply with the command's number ({@code 3: stream: OK}); a reply with another number, or any
 * failure, breaks the session, which is then closed rather than reused. Not thread-safe: the pool
 * lends it to one scan at a time.
 */
final class ClamdSession implements AutoCloseable {
    private final Endpoint endpoint;
    private final DaemonConnection connection;
    private int lastId;
    private boolean broken;

    private ClamdSession(Endpoint endpoint, DaemonConnection connection) {
        this.endpoint = endpoint;
        this.connection = connection;
    }

    static ClamdSession open(Endpoint endpoint, ScannerTimeouts timeouts) throws IOException {
        DaemonConnection connection = DaemonConnection.open(endpoint, timeouts);
        try {
            ClamdProtocol.send(connection, "zIDSESSION\0");
            return new ClamdSession(endpoint, connection);
        } catch (IOException e) {
            connection.close();
            throw e;
        }
    }

    Endpoint endpoint() {
        return endpoint;
    }

    boolean isBroken() {
        return broken;
    }

    /** PING inside the session: the cheap proof that a pooled session still works. */
    void ping() throws IOException {
        String reply;
        try {
            reply = exchange(() -> {
                ClamdProtocol.send(connection, "zPING\0");
                return connection.readUntil(0, ClamdProtocol.MAX_REPLY);
            });
        } catch (MessageReadException impossible) {
            throw new IllegalStateException("PING sends no message", impossible);
        }
        if (!reply.equals("PONG")) {
            broken = true;
            throw new IOException("clamd at " + endpoint + " answered PING with '" + Printable.of(reply) + "'");
        }
    }

    /**
     * Scans within the session. Replies other than OK/FOUND leave the session broken, since clamd may
     * have closed its end (it does after a size-limit error).
     */
    ScanVerdict scan(MessageContent content, int chunkSize) throws IOException, MessageReadException {
        try {
            String reply = exchange(() -> ClamdProtocol.instream(connection, content, chunkSize));
            ScanVerdict verdict = ClamdReplies.parseScanReply(reply, endpoint);
            if (verdict.status() == ScanVerdict.Status.UNSCANNABLE || verdict.status() == ScanVerdict.Status.ERROR) {
                broken = true;
            }
            return verdict;
        } catch (MessageReadException e) {
            // Part of a message went out: the session's stream state is unknown now.
            broken = true;
            throw e;
        }
    }

    private interface Exchange {
        String run() throws IOException, MessageReadException;
    }

    private String exchange(Exchange exchange) throws IOException, MessageReadException {
        if (broken) {
            throw new IOException("session to " + endpoint + " is broken");
        }
        int id = ++lastId;
        try {
            String reply = exchange.run();
            String prefix = id + ": ";
            if (!reply.startsWith(prefix)) {
                broken = true;
                throw new BadReplyException("clamd at " + endpoint + " answered out of turn: '" + Printable.of(reply) + "'");
            }
            return reply.substring(prefix.length());
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            if (!broken) {
                ClamdProtocol.send(connection, "zEND\0");
            }
        } catch (IOException ignored) {
            // Closing anyway.
        }
        try {
            connection.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
    }
}
