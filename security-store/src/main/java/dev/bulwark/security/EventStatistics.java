package dev.bulwark.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Counts of security events in a window: totals per kind, the same per time bucket, and the most
 * frequent virus names, infected senders and targeted recipients (from {@code verdict.infected}).
 */
public record EventStatistics(Instant from, Instant to, Map<String, Long> totals, List<Bucket> series,
                              List<Ranked> topViruses, List<Ranked> topInfectedSenders, List<Ranked> topTargetedRecipients) {
    public record Bucket(Instant start, Map<String, Long> counts) {
    }

    public record Ranked(String name, long count) {
    }
}
