package dev.bulwark.scanner;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One TCP connection to a scanner daemon, with timeouts and TCP_NODELAY set, and bounded reads. */
final class DaemonConnection implements AutoCloseable {
    private final Socket socket;

    private DaemonConnection(Socket socket) {
        this.socket = socket;
    }

    static DaemonConnection open(Endpoint endpoint, ScannerTimeouts timeouts) throws IOException {
        Socket socket = new Socket();
        try {
            // Without TCP_NODELAY small writes wait for delayed ACKs: a 50x slowdown on clamd sessions.
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeouts.readMillis());
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), timeouts.connectMillis());
            return new DaemonConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    OutputStream output() throws IOException {
        return socket.getOutputStream();
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Reads until {@code terminator}, at most {@code limit} bytes; the terminator is not returned.
     * The connection closing first is a partial reply: an EOFException, never a short answer.
     */
    String readUntil(int terminator, int limit) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != terminator) {
            if (b == -1) {
                throw new EOFException(reply.size() == 0
                    ? "connection closed without a reply"
                    : "connection closed in the middle of the reply '" + ClamdReplies.printable(reply.toString(StandardCharsets.UTF_8)) + "'");
            }
            if (reply.size() >= limit) {
                throw new IOException("reply longer than " + limit + " bytes");
            }
            reply.write(b);
        }
        return reply.toString(StandardCharsets.UTF_8);
    }

    /** Reads until the daemon closes the connection, at most {@code limit} bytes, all before {@code deadline}. */
    String readAll(int limit, java.time.Instant deadline) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            java.time.Duration left = java.time.Duration.between(java.time.Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) {
                throw new java.net.SocketTimeoutException("deadline passed");
            }
            readTimeout(left);
            int n = in.read(buffer);
            if (n == -1) {
                return reply.toString(StandardCharsets.UTF_8);
            }
            if (reply.size() + n > limit) {
                throw new IOException("reply longer than " + limit + " bytes");
            }
            reply.write(buffer, 0, n);
        }
    }

    /** Sets the read timeout for what follows (e.g. what is left of an exchange's deadline). */
    void readTimeout(java.time.Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    }

    /** Reads everything the daemon sends until it closes the connection, at most {@code limit} bytes. */
    String readAll(int limit) throws IOException {
        byte[] bytes = socket.getInputStream().readNBytes(limit + 1);
        if (bytes.length > limit) {
            throw new IOException("reply longer than " + limit + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
