package dev.bulwark.scanner.integrity;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

import dev.bulwark.scanner.endpoint.Endpoint;

/**
 * One scanner endpoint as the integrity probe, a pool's admission and its prober see it: it answers PING,
 * may report its engine version, and has a self-test that proves it detects. Each engine's one-shot client
 * ({@code ClamdClient}, {@code SpamdClient}) is one; a new engine's client becomes one by saying which test
 * sample it must detect.
 */
public interface ProbeTarget {
    /** The daemon's name in states, events, logs and metric names: {@code clamd}, {@code spamd}. */
    String daemon();

    Endpoint endpoint();

    /** Throws when the daemon does not answer in its protocol's way: the cheap liveness check. */
    void ping() throws IOException;

    /** How this engine proves it detects: the test sample it must catch. */
    SelfTest selfTest();

    /** How to ask the engine's version, before each self-test; empty for an engine that is not asked (spamd). */
    default Optional<VersionQuery> versionQuery() {
        return Optional.empty();
    }

    @FunctionalInterface
    interface VersionQuery {
        EngineVersion ask() throws IOException;
    }

    /**
     * @param engine        as states and verdicts show it, e.g. {@code ClamAV 1.4.6/27450}
     * @param signatureDate when the signature database was built, when the engine says so (for signature age)
     */
    record EngineVersion(String engine, Optional<Instant> signatureDate) {
    }
}
