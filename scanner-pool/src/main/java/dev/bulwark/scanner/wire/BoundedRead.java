package dev.bulwark.scanner.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A whole message read into memory up to a size limit, for protocols that must announce its length
 * before the body (spamd's Content-length, rspamd's HTTP request): only as much as the limit is read.
 */
public final class BoundedRead {
    /** Whatever writes the message's bytes (a {@code MessageContent}, as {@code content::writeTo}). */
    @FunctionalInterface
    public interface Source {
        void writeTo(OutputStream out) throws IOException;
    }

    private BoundedRead() {
    }

    /**
     * @return the message's bytes, or empty when it is over {@code limit}
     * @throws MessageReadException when the source itself fails
     */
    public static Optional<byte[]> upTo(long limit, Source source) throws MessageReadException {
        LimitedBuffer buffer = new LimitedBuffer(limit);
        try {
            source.writeTo(buffer);
        } catch (LimitReached e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new MessageReadException(e);
        }
        return Optional.of(buffer.bytes.toByteArray());
    }

    private static final class LimitReached extends IOException {
        LimitReached() {
            super("size limit reached");
        }
    }

    /** Buffers up to a limit; one byte more stops the message source. */
    private static final class LimitedBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final long limit;

        LimitedBuffer(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            if (bytes.size() + (long) length > limit) {
                throw new LimitReached();
            }
            bytes.write(data, offset, length);
        }
    }
}
