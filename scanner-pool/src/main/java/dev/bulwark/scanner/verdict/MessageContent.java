package dev.bulwark.scanner.verdict;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Something that can write a message's bytes, in order, as often as asked (a scan retried on another
 * daemon writes it again). Scanners pull the message through this instead of taking a byte array, so a
 * scan holds one chunk in memory, not the whole message.
 */
@FunctionalInterface
public interface MessageContent {
    void writeTo(OutputStream out) throws IOException;

    static MessageContent of(byte[] bytes) {
        return out -> out.write(bytes);
    }
}
