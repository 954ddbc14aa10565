package dev.bulwark.scanner;

/** The message source failed while being read: not the daemon's fault, not worth a retry elsewhere. */
final class MessageReadException extends Exception {
    MessageReadException(Exception cause) {
        super(cause.getMessage(), cause);
    }
}
