package dev.bulwark.scanner.endpoint;

import java.util.Objects;

/** A scanner daemon's TCP address, parsed strictly from {@code host:port}. */
public record Endpoint(String host, int port) {

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
        }
    }

    /** Parses {@code host:port}; throws IllegalArgumentException saying what is wrong. */
    public static Endpoint parse(String value) {
        String trimmed = value == null ? "" : value.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException("'" + trimmed + "' is not host:port");
        }
        String portText = trimmed.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + trimmed + "' has a port that is not a number");
        }
        return new Endpoint(trimmed.substring(0, colon), port);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
