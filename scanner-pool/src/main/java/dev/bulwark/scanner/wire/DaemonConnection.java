package dev.bulwark.scanner.wire;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * One TCP connection to a scanner daemon with a timeout on everything: connect, every read and every
 * write. A blocking socket has no write timeout, and a daemon that stops reading would hold a scan
 * forever; so the channel is non-blocking and each wait goes through a selector with a deadline.
 * TCP_NODELAY is set (without it small writes wait for delayed ACKs: a 50x slowdown on clamd sessions).
 */
public final class DaemonConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ByteBuffer input = ByteBuffer.allocate(8192).flip();
    private Duration ioTimeout;

    private DaemonConnection(SocketChannel channel, Selector selector, SelectionKey key, Duration ioTimeout) {
        this.channel = channel;
        this.selector = selector;
        this.key = key;
        this.ioTimeout = ioTimeout;
    }

    public static DaemonConnection open(Endpoint endpoint, ScannerTimeouts timeouts) throws IOException {
        SocketChannel channel = SocketChannel.open();
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            selector = Selector.open();
            SelectionKey key = channel.register(selector, 0);
            DaemonConnection connection = new DaemonConnection(channel, selector, key, timeouts.read());
            if (!channel.connect(new InetSocketAddress(endpoint.host(), endpoint.port()))) {
                connection.await(SelectionKey.OP_CONNECT, timeouts.connect(), "connect");
                channel.finishConnect();
            }
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    /** Writes go straight to the socket, each within the I/O timeout. */
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                while (buffer.hasRemaining()) {
                    if (channel.write(buffer) == 0) {
                        await(SelectionKey.OP_WRITE, ioTimeout, "write");
                    }
                }
            }
        };
    }

    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /**
     * Reads until {@code terminator}, at most {@code limit} bytes; the terminator is not returned.
     * The connection closing first is a partial reply: an EOFException, never a short answer.
     */
    public String readUntil(int terminator, int limit) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        while (true) {
            if (!input.hasRemaining() && !fill(ioTimeout)) {
                throw new EOFException(reply.size() == 0
                    ? "connection closed without a reply"
                    : "connection closed in the middle of the reply '" + Printable.of(reply.toString(StandardCharsets.UTF_8)) + "'");
            }
            byte b = input.get();
            if (b == terminator) {
                return reply.toString(StandardCharsets.UTF_8);
            }
            if (reply.size() >= limit) {
                throw new BadReplyException("reply longer than " + limit + " bytes");
            }
            reply.write(b);
        }
    }

    /** Reads until the daemon closes the connection, at most {@code limit} bytes, all before {@code deadline}. */
    public String readAll(int limit, Instant deadline) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) {
                throw new SocketTimeoutException("deadline passed");
            }
            if (!input.hasRemaining() && !fill(left)) {
                return reply.toString(StandardCharsets.UTF_8);
            }
            if (reply.size() + input.remaining() > limit) {
                throw new BadReplyException("reply longer than " + limit + " bytes");
            }
            reply.write(input.array(), input.position(), input.remaining());
            input.position(input.limit());
        }
    }

    /** Sets the I/O timeout for what follows. */
    void readTimeout(Duration timeout) {
        this.ioTimeout = timeout;
    }

    /** Refills the input buffer; false at end of stream. */
    private boolean fill(Duration timeout) throws IOException {
        input.clear();
        try {
            int n;
            while ((n = channel.read(input)) == 0) {
                await(SelectionKey.OP_READ, timeout, "read");
            }
            return n > 0;
        } finally {
            input.flip();
        }
    }

    private void await(int operation, Duration timeout, String what) throws IOException {
        key.interestOps(operation);
        try {
            if (selector.select(Math.max(1, timeout.toMillis())) == 0) {
                throw new SocketTimeoutException(what + " timed out after " + timeout.toMillis() + " ms");
            }
        } finally {
            selector.selectedKeys().clear();
            key.interestOps(0);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            selector.close();
        }
    }
}
