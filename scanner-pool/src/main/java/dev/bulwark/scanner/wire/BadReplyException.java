package dev.bulwark.scanner.wire;

import java.io.IOException;

/**
 * The daemon answered, but not in its protocol's shape (too long, out of turn, unnumbered): a bad
 * reply, not a dead connection. Not retried elsewhere; counts toward taking the endpoint out.
 */
public final class BadReplyException extends IOException {
    public BadReplyException(String message) {
        super(message);
    }
}
