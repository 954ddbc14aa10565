package dev.bulwark.extension.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.bulwark.matchers.CanaryCarrier;
import dev.bulwark.security.SecurityEvent;

/** What the canary makes of each carrier's fate, and how a round's outcome moves the canary's standing. */
class CanaryRoundTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void aPipelineThatQuarantinesFlagsAndHoldsPasses() {
        CanaryRound round = new CanaryRound("r1");
        round.observe(event("verdict.infected", CanaryCarrier.VIRUS, "r1", Map.of()));
        assertThat(round.decided()).isFalse();
        round.observe(event("quarantine.stored", CanaryCarrier.VIRUS, "r1", Map.of("reason", "virus")));
        round.observe(event("canary.reached", CanaryCarrier.SPAM, "r1", Map.of("virusStatus", "CLEAN", "spamStatus", "SPAM")));
        round.held(CanaryCarrier.SCAN_FAILURE);

        assertThat(round.decided()).isTrue();
        CanaryRound.Outcome outcome = round.finish(NOW);
        assertThat(outcome.fate()).isEqualTo(CanaryRound.Fate.PASSED);
        assertThat(outcome.summary()).contains("virus: passed (quarantined as virus)", "spam: passed (flagged as spam)",
            "scan-failure: passed (held for a rescan, not delivered)");
    }

    @Test
    void eicarOrTheDrillReachingDeliveryIsAMiss() {
        CanaryRound noVirusScan = new CanaryRound("r2");
        noVirusScan.observe(event("canary.reached", CanaryCarrier.VIRUS, "r2", Map.of("virusStatus", "none", "spamStatus", "HAM")));
        noVirusScan.observe(event("canary.reached", CanaryCarrier.SCAN_FAILURE, "r2", Map.of("virusStatus", "none", "spamStatus", "HAM")));
        noVirusScan.observe(event("canary.reached", CanaryCarrier.SPAM, "r2", Map.of("virusStatus", "none", "spamStatus", "SPAM")));
        CanaryRound.Outcome outcome = noVirusScan.finish(NOW);
        assertThat(outcome.fate()).isEqualTo(CanaryRound.Fate.MISSED);
        assertThat(outcome.carriers().get(CanaryCarrier.VIRUS).how()).contains("EICAR reached delivery");

        CanaryRound failOpen = new CanaryRound("r3");
        failOpen.observe(event("quarantine.stored", CanaryCarrier.VIRUS, "r3", Map.of("reason", "virus")));
        failOpen.observe(event("canary.reached", CanaryCarrier.SPAM, "r3", Map.of("virusStatus", "CLEAN", "spamStatus", "SPAM")));
        failOpen.observe(event("canary.reached", CanaryCarrier.SCAN_FAILURE, "r3", Map.of("virusStatus", "ERROR", "spamStatus", "HAM")));
        assertThat(failOpen.finish(NOW).carriers().get(CanaryCarrier.SCAN_FAILURE))
            .satisfies(fate -> {
                assertThat(fate.fate()).isEqualTo(CanaryRound.Fate.MISSED);
                assertThat(fate.how()).contains("failOpen=true");
            });
    }

    @Test
    void spamUnjudgedIsDegradedUnflaggedIsMissedAndSilenceIsMissedAtTheDeadline() {
        CanaryRound spamdDown = new CanaryRound("r4");
        spamdDown.observe(event("quarantine.stored", CanaryCarrier.VIRUS, "r4", Map.of("reason", "virus")));
        spamdDown.observe(event("canary.reached", CanaryCarrier.SPAM, "r4", Map.of("virusStatus", "CLEAN", "spamStatus", "ERROR")));
        spamdDown.held(CanaryCarrier.SCAN_FAILURE);
        assertThat(spamdDown.finish(NOW).fate()).isEqualTo(CanaryRound.Fate.DEGRADED);

        CanaryRound noSpamCheck = new CanaryRound("r5");
        noSpamCheck.observe(event("canary.reached", CanaryCarrier.SPAM, "r5", Map.of("virusStatus", "CLEAN", "spamStatus", "none")));
        assertThat(noSpamCheck.finish(NOW).carriers().get(CanaryCarrier.SPAM).fate()).isEqualTo(CanaryRound.Fate.MISSED);

        CanaryRound silent = new CanaryRound("r6");
        silent.observe(event("quarantine.stored", CanaryCarrier.VIRUS, "other-round", Map.of("reason", "virus")));
        CanaryRound.Outcome outcome = silent.finish(NOW);
        assertThat(outcome.fate()).isEqualTo(CanaryRound.Fate.MISSED);
        assertThat(outcome.carriers().get(CanaryCarrier.VIRUS).how()).startsWith("no sign of it before the deadline");
    }

    @Test
    void aMissIsNewsOnceAndClearsWhenTheNextRoundPasses() {
        CanaryState state = new CanaryState();
        assertThat(state.latest()).isEmpty();
        assertThat(state.conclude(passed("a"))).isEqualTo(CanaryState.Change.NONE);
        assertThat(state.conclude(missed("b"))).isEqualTo(CanaryState.Change.MISSED);
        assertThat(state.conclude(missed("c"))).isEqualTo(CanaryState.Change.STILL_MISSED);
        assertThat(state.latest()).get().extracting(CanaryRound.Outcome::round).isEqualTo("c");
        assertThat(state.conclude(passed("d"))).isEqualTo(CanaryState.Change.RECOVERED);
        assertThat(state.conclude(passed("e"))).isEqualTo(CanaryState.Change.NONE);
        assertThat(new CanaryState().conclude(missed("first"))).isEqualTo(CanaryState.Change.MISSED);
    }

    private static CanaryRound.Outcome passed(String id) {
        CanaryRound round = new CanaryRound(id);
        for (CanaryCarrier carrier : CanaryCarrier.values()) {
            round.held(carrier);
        }
        return round.finish(NOW);
    }

    private static CanaryRound.Outcome missed(String id) {
        return new CanaryRound(id).finish(NOW);
    }

    private static SecurityEvent event(String kind, CanaryCarrier carrier, String round, Map<String, String> details) {
        Map<String, String> all = new java.util.HashMap<>(details);
        all.put("canary", carrier.attributeValue(round));
        return SecurityEvent.of(NOW, kind, Optional.empty(), Optional.empty(), List.of(), all);
    }
}
