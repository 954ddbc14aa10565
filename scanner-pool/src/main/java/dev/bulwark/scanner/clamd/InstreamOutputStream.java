package dev.bulwark.scanner.clamd;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Frames bytes as clamd INSTREAM chunks ({@code <4-byte big-endian length><bytes>}); {@link #finish()}
 * writes the zero-length chunk that ends the stream. Holds at most one chunk in memory.
 */
final class InstreamOutputStream extends OutputStream {
    private final OutputStream socket;
    private final byte[] chunk;
    private int filled;
    private long total;

    InstreamOutputStream(OutputStream socket, int chunkSize) {
        this.socket = socket;
        this.chunk = new byte[chunkSize];
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == chunk.length) {
            sendChunk();
        }
        chunk[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            if (filled == chunk.length) {
                sendChunk();
            }
            int n = Math.min(length, chunk.length - filled);
            System.arraycopy(bytes, offset, chunk, filled, n);
            filled += n;
            offset += n;
            length -= n;
        }
    }

    void finish() throws IOException {
        sendChunk();
        writeLength(0);
        socket.flush();
    }

    long bytesWritten() {
        return total;
    }

    private void sendChunk() throws IOException {
        if (filled == 0) {
            return;
        }
        writeLength(filled);
        try {
            socket.write(chunk, 0, filled);
        } catch (IOException e) {
            throw new DaemonWriteException(e);
        }
        total += filled;
        filled = 0;
    }

    private void writeLength(int length) throws IOException {
        try {
            socket.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        } catch (IOException e) {
            throw new DaemonWriteException(e);
        }
    }

    /** A write to clamd failed, as opposed to the message source failing while being read. */
    static final class DaemonWriteException extends IOException {
        DaemonWriteException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Closing does not close the socket: the caller still has to read clamd's reply. */
    @Override
    public void close() {
    }
}
