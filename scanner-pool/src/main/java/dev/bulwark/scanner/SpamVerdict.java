package dev.bulwark.scanner;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The outcome of one spam check. Immutable; ERROR carries a reason and no score. */
public final class SpamVerdict {

    public enum Status {
        HAM, SPAM, ERROR
    }

    private final Status status;
    private final double score;
    private final double threshold;
    private final List<String> symbols;
    private final String reason;
    private final Endpoint endpoint;

    private SpamVerdict(Status status, double score, double threshold, List<String> symbols, String reason, Endpoint endpoint) {
        this.status = Objects.requireNonNull(status);
        this.score = score;
        this.threshold = threshold;
        this.symbols = List.copyOf(symbols);
        this.reason = reason;
        this.endpoint = endpoint;
    }

    public static SpamVerdict scored(boolean spam, double score, double threshold, List<String> symbols, Endpoint endpoint) {
        return new SpamVerdict(spam ? Status.SPAM : Status.HAM, score, threshold, symbols, null, endpoint);
    }

    public static SpamVerdict error(String reason, Endpoint endpoint) {
        return new SpamVerdict(Status.ERROR, Double.NaN, Double.NaN, List.of(), Objects.requireNonNull(reason), endpoint);
    }

    public Status status() {
        return status;
    }

    public boolean isSpam() {
        return status == Status.SPAM;
    }

    /** SpamAssassin's score; NaN for ERROR. */
    public double score() {
        return score;
    }

    /** The score at or above which spamd calls a message spam; NaN for ERROR. */
    public double threshold() {
        return threshold;
    }

    public List<String> symbols() {
        return symbols;
    }

    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpamVerdict other
            && status == other.status
            && Double.compare(score, other.score) == 0
            && Double.compare(threshold, other.threshold) == 0
            && symbols.equals(other.symbols)
            && Objects.equals(reason, other.reason)
            && Objects.equals(endpoint, other.endpoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, score, threshold, symbols, reason, endpoint);
    }

    @Override
    public String toString() {
        return status == Status.ERROR
            ? "ERROR (" + reason + ")"
            : status + " " + score + "/" + threshold + " " + symbols;
    }
}
