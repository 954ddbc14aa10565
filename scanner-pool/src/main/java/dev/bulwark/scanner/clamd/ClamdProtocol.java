package dev.bulwark.scanner.clamd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.wire.DaemonConnection;
import dev.bulwark.scanner.wire.MessageReadException;

/** The clamd exchanges shared by one-shot connections ({@link ClamdClient}) and sessions ({@link ClamdSession}). */
final class ClamdProtocol {
    static final int MAX_REPLY = 8 * 1024;

    private ClamdProtocol() {
    }

    static void send(DaemonConnection connection, String command) throws IOException {
        OutputStream out = connection.output();
        out.write(command.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Sends {@code zINSTREAM}, the message in chunks and the end chunk, and returns clamd's reply.
     * When clamd stops reading early (its size limit), its reply is still returned if it sent one.
     *
     * @throws IOException the daemon failed: refused, reset, stalled, closed without a reply
     * @throws MessageReadException the message could not be read
     */
    static String instream(DaemonConnection connection, MessageContent content, int chunkSize)
            throws IOException, MessageReadException {
        send(connection, "zINSTREAM\0");
        InstreamOutputStream stream = new InstreamOutputStream(connection.output(), chunkSize);
        try {
            content.writeTo(stream);
            stream.finish();
        } catch (InstreamOutputStream.DaemonWriteException writeFailure) {
            // clamd closes the stream early when its size limit is hit; its reply says why.
            try {
                return connection.readUntil(0, MAX_REPLY);
            } catch (IOException noReply) {
                throw writeFailure;
            }
        } catch (IOException | RuntimeException sourceFailure) {
            // Only writes to clamd raise DaemonWriteException: anything else came from the message source.
            throw new MessageReadException(sourceFailure);
        }
        return connection.readUntil(0, MAX_REPLY);
    }
}
