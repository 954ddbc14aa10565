package dev.bulwark.security;

/** The database behind the security store failed (unreachable, locked, full). */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
