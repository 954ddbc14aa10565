package dev.bulwark.scanner.spamd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamLearner;

/**
 * Teaches spamd's Bayes database through SPAMC {@code TELL}, as {@code spamc -L spam|ham} does:
 * {@code Message-class: spam|ham} and {@code Set: local}, under the user's name ({@code User:}). No
 * {@code Remove: local} of the other class goes with it: spamd refuses Set and Remove of the same database in
 * one request, and SpamAssassin's learner forgets a message's earlier class by itself before learning the new
 * one. spamd answers {@code DidSet: local} when it learned something; without it the message was already
 * learned as that class ({@link LearnOutcome#ALREADY_LEARNED}), or Bayes learning is off in its configuration.
 *
 * <p>The lesson goes to the pool's endpoints in order, those in service first; an endpoint that cannot be
 * told passes it to the next. The lessons do not take the pool's check slots: learning waits for nobody's mail,
 * and the learner's caller bounds how many lessons run at once. Endpoints share one Bayes database or each
 * keeps its own, as spamd is set up (bayes_path, or an SQL store for several spamd hosts).
 */
public final class SpamdLearner implements SpamLearner {
    private final SpamdPool pool;

    public SpamdLearner(SpamdPool pool) {
        this.pool = Objects.requireNonNull(pool);
    }

    @Override
    public String engine() {
        return SpamdClient.DAEMON;
    }

    @Override
    public LearnOutcome learn(MessageContent content, String user, LearnAs as) throws IOException {
        List<String> failures = new ArrayList<>();
        for (SpamdClient client : inServiceFirst()) {
            try {
                boolean changed = client.tell(content, as == LearnAs.SPAM ? SpamdClient.Learn.SPAM : SpamdClient.Learn.HAM,
                    Optional.of(user));
                return changed ? LearnOutcome.LEARNED : LearnOutcome.ALREADY_LEARNED;
            } catch (IOException e) {
                failures.add(client.endpoint() + ": " + e.getMessage());
            }
        }
        if (failures.isEmpty()) {
            throw new IOException("no spamd endpoint to tell");
        }
        throw new IOException("no spamd could be told: " + String.join("; ", failures));
    }

    /** Every endpoint of the pool, those in service first (one taken out may be back before the prober saw it). */
    private List<SpamdClient> inServiceFirst() {
        Set<Endpoint> available = pool.stats().stream().filter(EndpointStats::available)
            .map(stats -> stats.endpoint().endpoint()).collect(Collectors.toSet());
        List<SpamdClient> ordered = new ArrayList<>();
        pool.clients().stream().filter(client -> available.contains(client.endpoint())).forEach(ordered::add);
        pool.clients().stream().filter(client -> !available.contains(client.endpoint())).forEach(ordered::add);
        return ordered;
    }

    @Override
    public String toString() {
        return "SpamdLearner" + pool.clients();
    }
}
