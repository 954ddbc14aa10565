package dev.bulwark.notifications;

/** A rendered notice: a one-line subject (no control characters) and a plain-text body. */
public record Notice(String subject, String body) {
}
