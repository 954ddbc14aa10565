package dev.bulwark.scanner.wire;

/** The message source failed while being read: not the daemon's fault, not worth a retry elsewhere. */
public final class MessageReadException extends Exception {
    public MessageReadException(Exception cause) {
        super(cause.getMessage(), cause);
    }
}
