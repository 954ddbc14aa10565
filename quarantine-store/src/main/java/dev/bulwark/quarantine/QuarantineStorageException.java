package dev.bulwark.quarantine;

/** The mail repository under the quarantine failed (unreachable backend, read-only directory...). */
public class QuarantineStorageException extends RuntimeException {
    public QuarantineStorageException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
