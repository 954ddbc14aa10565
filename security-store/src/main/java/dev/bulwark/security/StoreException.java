package dev.bulwark.security;

/** The database behind the security store failed (unreachable, locked, full). */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        // No cause: a fault of the store's content, found by Bulwark itself ("no default policy yet").
        super(cause == null ? message : message + ": " + cause.getMessage(), cause);
    }
}
