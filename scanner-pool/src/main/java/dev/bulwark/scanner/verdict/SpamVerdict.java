package dev.bulwark.scanner.verdict;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * The outcome of one spam check. Immutable. HAM and SPAM carry score, threshold, the rules that hit
 * (SYMBOLS) and SpamAssassin's report (REPORT); SKIPPED (message over the size limit, not sent) and
 * ERROR (no answer) carry a reason and no score.
 */
public final class SpamVerdict {

    public enum Status {
        HAM, SPAM, SKIPPED, ERROR
    }

    private final Status status;
    private final double score;
    private final double threshold;
    private final List<String> symbols;
    private final String report;
    private final String reason;
    private final Endpoint endpoint;

    private SpamVerdict(Status status, double score, double threshold, List<String> symbols, String report, String reason, Endpoint endpoint) {
        this.status = Objects.requireNonNull(status);
        this.score = score;
        this.threshold = threshold;
        this.symbols = List.copyOf(symbols);
        this.report = report;
        this.reason = reason;
        this.endpoint = endpoint;
    }

    public static SpamVerdict scored(boolean spam, double score, double threshold, List<String> symbols, Endpoint endpoint) {
        return new SpamVerdict(spam ? Status.SPAM : Status.HAM, score, threshold, symbols, null, null, endpoint);
    }

    /** The same verdict with SpamAssassin's report text (REPORT command). */
    public SpamVerdict withReport(String report) {
        return new SpamVerdict(status, score, threshold, symbols, Objects.requireNonNull(report), reason, endpoint);
    }

    public static SpamVerdict skipped(String reason) {
        return new SpamVerdict(Status.SKIPPED, Double.NaN, Double.NaN, List.of(), null, Objects.requireNonNull(reason), null);
    }

    public static SpamVerdict error(String reason, Endpoint endpoint) {
        return new SpamVerdict(Status.ERROR, Double.NaN, Double.NaN, List.of(), null, Objects.requireNonNull(reason), endpoint);
    }

    public Status status() {
        return status;
    }

    public boolean isSpam() {
        return status == Status.SPAM;
    }

    /** SpamAssassin's score; NaN for SKIPPED and ERROR. */
    public double score() {
        return score;
    }

    /** The score at or above which spamd calls a message spam; NaN for SKIPPED and ERROR. */
    public double threshold() {
        return threshold;
    }

    public List<String> symbols() {
        return symbols;
    }

    /** SpamAssassin's human-readable report, when the check asked for it. */
    public Optional<String> report() {
        return Optional.ofNullable(report);
    }

    /** Why there is no score (SKIPPED, ERROR). */
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
            && Objects.equals(report, other.report)
            && Objects.equals(reason, other.reason)
            && Objects.equals(endpoint, other.endpoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, score, threshold, symbols, report, reason, endpoint);
    }

    @Override
    public String toString() {
        return reason != null
            ? status + " (" + reason + ")"
            : status + " " + score + "/" + threshold + " " + symbols;
    }
}
