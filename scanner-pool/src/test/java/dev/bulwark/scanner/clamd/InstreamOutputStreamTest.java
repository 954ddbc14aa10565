package dev.bulwark.scanner.clamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class InstreamOutputStreamTest {
    @Test
    void framesBytesInChunksAndEndsWithAZeroLengthChunk() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        InstreamOutputStream stream = new InstreamOutputStream(wire, 4);
        stream.write(new byte[] {1, 2, 3, 4, 5, 6});
        stream.write(7);
        stream.finish();

        ByteBuffer frames = ByteBuffer.wrap(wire.toByteArray());
        assertThat(frames.getInt()).isEqualTo(4);
        frames.position(frames.position() + 4);
        assertThat(frames.getInt()).isEqualTo(3);
        assertThat(new byte[] {frames.get(), frames.get(), frames.get()}).containsExactly(5, 6, 7);
        assertThat(frames.getInt()).isZero();
        assertThat(frames.hasRemaining()).isFalse();
        assertThat(stream.bytesWritten()).isEqualTo(7);
    }
}
