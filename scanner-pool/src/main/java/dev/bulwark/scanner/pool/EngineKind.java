package dev.bulwark.scanner.pool;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.SpamVerdict;

/**
 * What kind of verdict an engine gives, and what the core needs to know about it: how to say "no answer"
 * in that verdict, and which verdicts are errors. Virus engines are the ones mail cannot pass without
 * (no virus engine in service: mail is held); spam engines only add a score.
 *
 * @param <V> {@link ScanVerdict} or {@link SpamVerdict}
 */
public final class EngineKind<V> {
    public static final EngineKind<ScanVerdict> VIRUS = new EngineKind<>("virus", ScanVerdict::error,
        verdict -> verdict.status() == ScanVerdict.Status.ERROR, ScanVerdict::reason);
    public static final EngineKind<SpamVerdict> SPAM = new EngineKind<>("spam", SpamVerdict::error,
        verdict -> verdict.status() == SpamVerdict.Status.ERROR, SpamVerdict::reason);

    private final String name;
    private final BiFunction<String, Endpoint, V> error;
    private final Predicate<V> isError;
    private final Function<V, Optional<String>> reason;

    private EngineKind(String name, BiFunction<String, Endpoint, V> error, Predicate<V> isError, Function<V, Optional<String>> reason) {
        this.name = name;
        this.error = error;
        this.isError = isError;
        this.reason = reason;
    }

    /** An ERROR verdict: no answer about the message. {@code endpoint} is null when no endpoint was tried. */
    public V error(String reason, Endpoint endpoint) {
        return error.apply(Objects.requireNonNull(reason), endpoint);
    }

    public boolean isError(V verdict) {
        return isError.test(verdict);
    }

    /** Why a verdict has no answer (ERROR, and other statuses that carry a reason). */
    public Optional<String> reason(V verdict) {
        return reason.apply(verdict);
    }

    @Override
    public String toString() {
        return name;
    }
}
