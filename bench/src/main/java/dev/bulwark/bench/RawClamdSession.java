package dev.bulwark.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * The physical limit: the least a client can do to have clamd scan a payload. One plain blocking socket
 * (TCP_NODELAY) in IDSESSION mode, and each scan is one write of a pre-framed INSTREAM request
 * ({@code zINSTREAM\0}, 4-byte big-endian length + bytes per chunk, 4 zero bytes) and one read of the reply
 * up to its {@code \0}. No pooling, no timeouts per write, no verdict objects. Not thread-safe: one per thread.
 * Also the pipeline benchmark's raw-daemon ceiling, which opens it by host and port.
 */
public final class RawClamdSession implements AutoCloseable {
    private static final byte[] IDSESSION = "zIDSESSION\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "zEND\0".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_REPLY = 8 * 1024;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] reply = new byte[MAX_REPLY];
    private int lastId;
    private boolean broken;

    private RawClamdSession(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream(), 512);
    }

    static RawClamdSession open(Endpoint endpoint) throws IOException {
        return open(endpoint.host(), endpoint.port());
    }

    public static RawClamdSession open(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 2_000);
            socket.setSoTimeout(30_000);
            RawClamdSession session = new RawClamdSession(socket);
            session.out.write(IDSESSION);
            return session;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * The INSTREAM request for a payload, framed once up front so that a scan is a single write:
     * {@code zINSTREAM\0}, then {@code <length><bytes>} per chunk of at most {@code chunkSize}, then 4 zero bytes.
     */
    public static byte[] instreamRequest(byte[] payload, int chunkSize) {
        ByteArrayOutputStream request = new ByteArrayOutputStream(payload.length + payload.length / chunkSize * 4 + 32);
        request.writeBytes("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
        for (int offset = 0; offset < payload.length; offset += chunkSize) {
            int length = Math.min(chunkSize, payload.length - offset);
            writeInt(request, length);
            request.write(payload, offset, length);
        }
        writeInt(request, 0);
        return request.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    /**
     * Sends one pre-framed INSTREAM request and returns clamd's reply without its session prefix, e.g.
     * {@code stream: OK}. A reply with another session number is an IOException.
     */
    public String scan(byte[] instreamRequest) throws IOException {
        if (broken) {
            throw new IOException("session is broken");
        }
        int id = ++lastId;
        try {
            out.write(instreamRequest);
            String answer = readReply();
            String prefix = id + ": ";
            if (!answer.startsWith(prefix)) {
                broken = true;
                throw new IOException("reply out of turn (expected " + id + "): '" + answer + "'");
            }
            return answer.substring(prefix.length());
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    /**
     * The same scan written the way the pool's {@code InstreamOutputStream} writes it: the command, then for each
     * chunk its length and its bytes, then the end, each a write (and, with TCP_NODELAY, a segment) of its own.
     * For {@link ScanPathProbe} only.
     */
    String scanFramedLikeThePool(byte[] payload, int chunkSize) throws IOException {
        int id = ++lastId;
        out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
        for (int offset = 0; offset < payload.length; offset += chunkSize) {
            int length = Math.min(chunkSize, payload.length - offset);
            out.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
            out.write(payload, offset, length);
        }
        out.write(new byte[4]);
        String answer = readReply();
        String prefix = id + ": ";
        if (!answer.startsWith(prefix)) {
            broken = true;
            throw new IOException("reply out of turn (expected " + id + "): '" + answer + "'");
        }
        return answer.substring(prefix.length());
    }

    /** A plain command in the session (PING, VERSION, STATS): its reply without the session prefix. */
    public String command(String command) throws IOException {
        int id = ++lastId;
        out.write(("z" + command + "\0").getBytes(StandardCharsets.US_ASCII));
        String answer = readReply();
        String prefix = id + ": ";
        return answer.startsWith(prefix) ? answer.substring(prefix.length()) : answer;
    }

    private String readReply() throws IOException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("clamd closed the session" + (length > 0 ? " after '" + text(length) + "'" : ""));
            }
            if (b == 0) {
                return text(length);
            }
            if (length == reply.length) {
                throw new IOException("reply longer than " + MAX_REPLY + " bytes");
            }
            reply[length++] = (byte) b;
        }
    }

    private String text(int length) {
        return new String(reply, 0, length, StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        try {
            if (!broken) {
                out.write(END);
            }
        } catch (IOException ignored) {
            // Closing anyway.
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
    }
}
