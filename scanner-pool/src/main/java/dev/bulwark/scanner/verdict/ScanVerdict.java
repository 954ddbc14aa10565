package dev.bulwark.scanner.verdict;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * The outcome of one virus scan. Immutable; built only through the factory methods so that each status
 * carries exactly the data it needs (virus names for INFECTED/SUSPICIOUS, a reason for UNSCANNABLE/ERROR).
 */
public final class ScanVerdict {

    public enum Status {
        CLEAN, INFECTED, SUSPICIOUS, UNSCANNABLE, ERROR
    }

    private final Status status;
    private final List<String> names;
    private final String reason;
    private final Endpoint endpoint;
    private final String engine;

    private ScanVerdict(Status status, List<String> names, String reason, Endpoint endpoint, String engine) {
        this.status = Objects.requireNonNull(status);
        this.names = List.copyOf(names);
        this.reason = reason;
        this.endpoint = endpoint;
        this.engine = engine;
    }

    public static ScanVerdict clean(Endpoint endpoint) {
        return new ScanVerdict(Status.CLEAN, List.of(), null, endpoint, null);
    }

    public static ScanVerdict infected(List<String> names, Endpoint endpoint) {
        requireNames(names);
        return new ScanVerdict(Status.INFECTED, names, null, endpoint, null);
    }

    public static ScanVerdict suspicious(List<String> names, Endpoint endpoint) {
        requireNames(names);
        return new ScanVerdict(Status.SUSPICIOUS, names, null, endpoint, null);
    }

    public static ScanVerdict unscannable(String reason, Endpoint endpoint) {
        return new ScanVerdict(Status.UNSCANNABLE, List.of(), Objects.requireNonNull(reason), endpoint, null);
    }

    public static ScanVerdict error(String reason, Endpoint endpoint) {
        return new ScanVerdict(Status.ERROR, List.of(), Objects.requireNonNull(reason), endpoint, null);
    }

    private static void requireNames(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("an INFECTED or SUSPICIOUS verdict names what was found");
        }
    }

    public Status status() {
        return status;
    }

    public List<String> names() {
        return names;
    }

    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /** The daemon that gave this verdict; empty when no daemon could be reached at all. */
    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** The engine and signature version that gave this verdict, e.g. {@code ClamAV 1.4.6/27450}, when known. */
    public Optional<String> engine() {
        return Optional.ofNullable(engine);
    }

    /** The same verdict, saying which engine version gave it. */
    public ScanVerdict withEngine(String engine) {
        return new ScanVerdict(status, names, reason, endpoint, Objects.requireNonNull(engine));
    }

    public boolean isClean() {
        return status == Status.CLEAN;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScanVerdict other
            && status == other.status
            && names.equals(other.names)
            && Objects.equals(reason, other.reason)
            && Objects.equals(endpoint, other.endpoint)
            && Objects.equals(engine, other.engine);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, names, reason, endpoint, engine);
    }

    @Override
    public String toString() {
        return switch (status) {
            case CLEAN -> "CLEAN";
            case INFECTED, SUSPICIOUS -> status + " " + String.join(", ", names);
            case UNSCANNABLE, ERROR -> status + " (" + reason + ")";
        } + endpoint().map(e -> " by " + e).orElse("");
    }
}
