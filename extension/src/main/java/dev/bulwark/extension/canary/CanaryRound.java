package dev.bulwark.extension.canary;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

import dev.bulwark.matchers.CanaryCarrier;
import dev.bulwark.security.SecurityEvent;

/**
 * One round of the canary: what became of each carrier, from the pipeline's events and the hold.
 * <ul>
 *   <li>EICAR must be quarantined (or held, when no verdict could be had: the pipeline failed closed).</li>
 *   <li>GTUBE must be flagged as spam or quarantined (or held); unjudged because spamd gave no verdict is
 *       degraded (the integrity watch's business), unflagged is missed.</li>
 *   <li>The scan failure drill must be held (or quarantined): a VirusScan that lets it through fails open.</li>
 * </ul>
 * Any carrier that reaches delivery otherwise, or gives no sign before the deadline, is missed.
 */
final class CanaryRound {
    enum Fate { PENDING, PASSED, DEGRADED, MISSED }

    record CarrierFate(Fate fate, String how) {
    }

    /** A finished round. */
    record Outcome(String round, Instant finishedAt, Fate fate, Map<CanaryCarrier, CarrierFate> carriers) {
        Outcome {
            carriers = Map.copyOf(carriers);
        }

        String summary() {
            return carriers.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().asString() + ": " + e.getValue().fate().name().toLowerCase(java.util.Locale.ROOT) + " (" + e.getValue().how() + ")")
                .collect(Collectors.joining("; "));
        }
    }

    private final String id;
    private final Map<CanaryCarrier, CarrierFate> fates = new EnumMap<>(CanaryCarrier.class);

    CanaryRound(String id) {
        this.id = id;
        for (CanaryCarrier carrier : CanaryCarrier.values()) {
            fates.put(carrier, new CarrierFate(Fate.PENDING, "sent"));
        }
    }

    String id() {
        return id;
    }

    synchronized void observe(SecurityEvent event) {
        String value = event.details().getOrDefault(CanaryObservations.DETAIL, "");
        CanaryCarrier carrier = java.util.Arrays.stream(CanaryCarrier.values())
            .filter(c -> value.equals(c.attributeValue(id))).findFirst().orElse(null);
        if (carrier == null || fates.get(carrier).fate() != Fate.PENDING) {
            return;
        }
        switch (event.kind()) {
            case "quarantine.stored" -> decide(carrier, Fate.PASSED, "quarantined as " + event.details().getOrDefault("reason", "?"));
            case "canary.reached" -> decide(carrier, reached(carrier, event.details().getOrDefault("virusStatus", "none"),
                event.details().getOrDefault("spamStatus", "none")));
            default -> { } // verdicts on the way: the fate is where the carrier ends
        }
    }

    private static CarrierFate reached(CanaryCarrier carrier, String virusStatus, String spamStatus) {
        String verdicts = "virus status " + virusStatus + ", spam status " + spamStatus;
        return switch (carrier) {
            case VIRUS -> new CarrierFate(Fate.MISSED, "EICAR reached delivery (" + verdicts + "): VirusScan is missing, skipped,"
                + " or its INFECTED verdict does not lead to the quarantine");
            case SCAN_FAILURE -> new CarrierFate(Fate.MISSED, "mail no scanner could judge reached delivery (" + verdicts
                + "): VirusScan fails open (failOpen=true), is missing or is skipped");
            case SPAM -> switch (spamStatus) {
                case "SPAM" -> new CarrierFate(Fate.PASSED, "flagged as spam");
                case "ERROR", "SKIPPED" -> new CarrierFate(Fate.DEGRADED, "GTUBE reached delivery unjudged (" + verdicts + "): the spam engine (spamd or rspamd) gave no verdict");
                default -> new CarrierFate(Fate.MISSED, "GTUBE reached delivery not flagged (" + verdicts + "): SpamCheck is missing or skipped");
            };
        };
    }

    synchronized void held(CanaryCarrier carrier) {
        if (fates.get(carrier).fate() == Fate.PENDING) {
            decide(carrier, Fate.PASSED, "held for a rescan, not delivered");
        }
    }

    synchronized boolean pending(CanaryCarrier carrier) {
        return fates.get(carrier).fate() == Fate.PENDING;
    }

    synchronized boolean decided() {
        return fates.values().stream().noneMatch(f -> f.fate() == Fate.PENDING);
    }

    /** Ends the round: what is still pending is missed. */
    synchronized Outcome finish(Instant now) {
        fates.replaceAll((carrier, fate) -> fate.fate() == Fate.PENDING
            ? new CarrierFate(Fate.MISSED, "no sign of it before the deadline (canary.deadline): the spool or a mailet is stuck, or it was dropped")
            : fate);
        Fate overall = fates.values().stream().map(CarrierFate::fate).max(Enum::compareTo).orElse(Fate.PASSED);
        return new Outcome(id, now, overall, fates);
    }

    private void decide(CanaryCarrier carrier, Fate fate, String how) {
        decide(carrier, new CarrierFate(fate, how));
    }

    private void decide(CanaryCarrier carrier, CarrierFate fate) {
        fates.put(carrier, fate);
    }
}
