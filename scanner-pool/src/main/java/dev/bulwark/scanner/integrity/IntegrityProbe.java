package dev.bulwark.scanner.integrity;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Proves that a scanner really detects, beyond answering PING: PING, then the engine's version when it
 * reports one, then its {@link SelfTest} (clamd must find the EICAR test file INFECTED, spamd must score
 * the GTUBE test mail as spam). A daemon that answers but fails its self-test is BROKEN (the classic
 * failure: signatures missing, mail flows "scanned" and nothing is ever found). Signature age comes from
 * the version when the engine reports a database date (clamd's VERSION with official databases).
 */
public final class IntegrityProbe {
    private final Duration maxSignatureAge;
    private final Clock clock;

    /** @param maxSignatureAge older signature databases make the endpoint DEGRADED */
    public IntegrityProbe(Duration maxSignatureAge, Clock clock) {
        this.maxSignatureAge = maxSignatureAge;
        this.clock = clock;
    }

    public ScannerState check(ProbeTarget target) {
        Instant now = clock.instant();
        try {
            target.ping();
        } catch (IOException e) {
            return state(target, ScannerState.Condition.DOWN, "no answer to PING: " + e.getMessage(), Optional.empty(), now);
        }
        boolean versionAsked = target.versionQuery().isPresent();
        Optional<ProbeTarget.EngineVersion> version = target.versionQuery().flatMap(IntegrityProbe::ask);
        SelfTest selfTest = target.selfTest();
        Optional<SelfTest.Failure> failure = selfTest.run();
        if (failure.isPresent()) {
            return state(target, failure.get().condition(), failure.get().reason(), version, now);
        }
        Optional<Instant> signatureDate = version.flatMap(ProbeTarget.EngineVersion::signatureDate);
        if (signatureDate.isPresent() && signatureDate.get().plus(maxSignatureAge).isBefore(now)) {
            // Only clamd reports a database date today, hence the hint.
            return state(target, ScannerState.Condition.DEGRADED, "signatures from " + signatureDate.get()
                + " are older than " + maxSignatureAge.toDays() + " days (is freshclam running?)", version, now);
        }
        String checked = versionAsked ? "PING, VERSION and " : "PING and ";
        return state(target, ScannerState.Condition.HEALTHY, checked + selfTest.sample() + " self-test passed"
            + (versionAsked && signatureDate.isEmpty() ? "; the signature database reports no date" : ""), version, now);
    }

    /** A version that cannot be had does not fail the probe: the self-test decides. */
    private static Optional<ProbeTarget.EngineVersion> ask(ProbeTarget.VersionQuery query) {
        try {
            return Optional.of(query.ask());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static ScannerState state(ProbeTarget target, ScannerState.Condition condition, String reason,
                                      Optional<ProbeTarget.EngineVersion> version, Instant now) {
        return new ScannerState(target.daemon(), target.endpoint(), condition, reason, version.map(ProbeTarget.EngineVersion::engine),
            version.flatMap(ProbeTarget.EngineVersion::signatureDate), now);
    }
}
