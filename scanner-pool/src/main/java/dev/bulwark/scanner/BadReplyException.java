package dev.bulwark.scanner;

import java.io.IOException;

/**
 * The daemon answered, but not in its protocol's shape (too long, out of turn, unnumbered): a bad
 * reply, not a dead connection. Not retried elsewhere; counts toward taking the endpoint out.
 */
final class BadReplyException extends IOException {
    BadReplyException(String message) {
        super(message);
    }
}
