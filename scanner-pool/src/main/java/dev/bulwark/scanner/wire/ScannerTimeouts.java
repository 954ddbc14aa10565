package dev.bulwark.scanner.wire;

import java.time.Duration;
import java.util.Objects;

/** Connect and read timeouts for one daemon; every socket Bulwark opens has both. */
public record ScannerTimeouts(Duration connect, Duration read) {
    public static final ScannerTimeouts DEFAULT = new ScannerTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30));

    public ScannerTimeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(read, "read");
        if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    int connectMillis() {
        return Math.toIntExact(connect.toMillis());
    }

    int readMillis() {
        return Math.toIntExact(read.toMillis());
    }
}
