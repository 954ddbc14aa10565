package dev.bulwark.extension.canary;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryPath;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.server.core.MailImpl;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.utils.UserDefinedStartable;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.alerts.AdminAlerts;
import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.matchers.CanaryCarrier;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.StoreException;

/**
 * Sends the canary's carriers through the real spool every {@code canary.interval} and checks, within
 * {@code canary.deadline}, that the pipeline judged each as expected ({@link CanaryRound}): the integrity
 * watch proves the daemons detect, this proves the pipeline still asks them and acts on the answer. A missed
 * round is a {@code canary.missed} event and an admin alert, and {@code Bulwark canary} turns unhealthy until a
 * round passes again ({@code canary.recovered}). Carriers end in the pipeline (Quarantine and CanaryCheckpoint
 * drop them, never store or deliver them); those held for a rescan are taken out of the hold here.
 */
@Singleton
public class CanaryWatch implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(CanaryWatch.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** The first round comes this soon after start at the latest, so that a broken pipeline shows early. */
    private static final Duration FIRST_ROUND = Duration.ofSeconds(30);
    /** Carriers of unfinished rounds still looked for in the hold, at most. */
    private static final int MAX_LEFTOVERS = 100;

    private final BulwarkConfiguration configuration;
    private final MailetContext context;
    private final DomainList domains;
    private final UsersRepository users;
    private final MailRepositoryStore repositories;
    private final CanaryObservations observations;
    private final SecurityStore security;
    private final AdminAlerts alerts;
    private final Clock clock = Clock.systemUTC();
    private final Set<String> leftovers = ConcurrentHashMap.newKeySet();
    private final CanaryState state = new CanaryState();
    /** Only the first passing round (and a recovery) is logged at INFO: a round every few minutes would flood the log. */
    private volatile boolean firstPass = true;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bulwark-canary");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public CanaryWatch(BulwarkConfiguration configuration, MailetContext context, DomainList domains, UsersRepository users,
                       MailRepositoryStore repositories, CanaryObservations observations, SecurityStore security, AdminAlerts alerts) {
        this.configuration = configuration;
        this.context = context;
        this.domains = domains;
        this.users = users;
        this.repositories = repositories;
        this.observations = observations;
        this.security = security;
        this.alerts = alerts;
    }

    @Override
    public void start() {
        BulwarkConfiguration.Canary settings = configuration.canary();
        if (!settings.enabled()) {
            LOGGER.warn("Pipeline canary is off ({}=0): a pipeline that stops scanning would go unnoticed", BulwarkConfiguration.CANARY_INTERVAL);
            return;
        }
        long interval = settings.interval().toMillis();
        executor.scheduleWithFixedDelay(this::roundSafely, Math.min(interval, FIRST_ROUND.toMillis()), interval, TimeUnit.MILLISECONDS);
    }

    public boolean enabled() {
        return configuration.canary().enabled();
    }

    /** The last finished round, if any. */
    public Optional<CanaryRound.Outcome> latest() {
        return state.latest();
    }

    private void roundSafely() {
        try {
            round();
        } catch (RuntimeException e) {
            // The schedule must go on; a round that could not run is a miss.
            LOGGER.error("Pipeline canary round failed: {}", e.toString());
            conclude(failed("the round could not run: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void round() throws InterruptedException {
        Optional<String> refusal = Optional.empty();
        MailAddress recipient = null;
        try {
            recipient = recipient();
            refusal = refusal(recipient);
        } catch (DomainListException | UsersRepositoryException | javax.mail.internet.AddressException e) {
            refusal = Optional.of("cannot check the canary recipient: " + e.getMessage());
        }
        if (refusal.isPresent()) {
            conclude(failed(refusal.get()));
            return;
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        CanaryRound round = new CanaryRound(id);
        observations.open(id);
        try {
            for (CanaryCarrier carrier : CanaryCarrier.values()) {
                send(id, carrier, recipient);
            }
            Instant deadline = clock.instant().plus(configuration.canary().deadline());
            while (!round.decided() && clock.instant().isBefore(deadline)) {
                TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
                observations.drain(id).forEach(round::observe);
                lookInTheHold(round);
            }
            observations.drain(id).forEach(round::observe);
            CanaryRound.Outcome outcome = round.finish(clock.instant());
            outcome.carriers().forEach((carrier, fate) -> {
                if (fate.how().startsWith("no sign") && leftovers.size() < MAX_LEFTOVERS) {
                    leftovers.add(CanaryCarriers.name(id, carrier));
                }
            });
            conclude(outcome);
        } finally {
            observations.close(id);
            removeLeftovers();
        }
    }

    private void send(String round, CanaryCarrier carrier, MailAddress recipient) {
        try {
            MailImpl mail = CanaryCarriers.carrier(round, carrier, recipient);
            try {
                context.sendMail(mail);
            } finally {
                mail.dispose();
            }
        } catch (MessagingException e) {
            throw new IllegalStateException("the spool refused canary carrier " + carrier.asString() + ": " + e.getMessage(), e);
        }
    }

    /** The canary's carriers must never be deliverable: a local domain (never relayed), no user's address. */
    private Optional<String> refusal(MailAddress recipient) throws DomainListException, UsersRepositoryException {
        if (!domains.containsDomain(recipient.getDomain())) {
            return Optional.of("canary recipient " + recipient.asString() + " is not in a local domain: no carrier is sent, since a"
                + " broken pipeline could relay it; set " + BulwarkConfiguration.CANARY_RECIPIENT + " to a local address that is no user");
        }
        if (users.contains(users.getUsername(recipient))) {
            return Optional.of("canary recipient " + recipient.asString() + " is a user: no carrier is sent, since a broken pipeline could"
                + " deliver it; set " + BulwarkConfiguration.CANARY_RECIPIENT + " to a local address that is no user");
        }
        return Optional.empty();
    }

    private MailAddress recipient() throws DomainListException, javax.mail.internet.AddressException {
        Optional<String> configured = configuration.canary().recipient();
        if (configured.isPresent()) {
            return new MailAddress(configured.get());
        }
        Domain domain = domains.getDefaultDomain();
        return new MailAddress("bulwark-canary", domain);
    }

    /** Carriers VirusScan could not judge are held for a rescan: found there, they passed, and are taken out. */
    private void lookInTheHold(CanaryRound round) {
        for (CanaryCarrier carrier : CanaryCarrier.values()) {
            if (round.pending(carrier) && removeFromHold(CanaryCarriers.name(round.id(), carrier))) {
                round.held(carrier);
            }
        }
    }

    private void removeLeftovers() {
        leftovers.removeIf(this::removeFromHold);
    }

    private boolean removeFromHold(String name) {
        MailKey key = new MailKey(name);
        try {
            for (MailRepository repository : repositories.getByPath(MailRepositoryPath.from(configuration.rescan().repository())).toList()) {
                // Listed first: the file repository logs a stack trace for every key it is asked for and does not have.
                boolean held = false;
                for (java.util.Iterator<MailKey> keys = repository.list(); keys.hasNext() && !held; ) {
                    held = keys.next().equals(key);
                }
                if (held) {
                    repository.remove(key);
                    return true;
                }
            }
        } catch (MessagingException e) {
            // Being written or sent back for a rescan right now: the next look finds it.
            LOGGER.debug("Pipeline canary: {} in {} not taken out yet: {}", name, configuration.rescan().repository(), e.getMessage());
        } catch (MailRepositoryStore.MailRepositoryStoreException | RuntimeException e) {
            LOGGER.warn("Pipeline canary: cannot look for {} in {}: {}", name, configuration.rescan().repository(), e.getMessage());
        }
        return false;
    }

    private CanaryRound.Outcome failed(String why) {
        Map<CanaryCarrier, CanaryRound.CarrierFate> fates = new java.util.EnumMap<>(CanaryCarrier.class);
        for (CanaryCarrier carrier : CanaryCarrier.values()) {
            fates.put(carrier, new CanaryRound.CarrierFate(CanaryRound.Fate.MISSED, why));
        }
        return new CanaryRound.Outcome("none", clock.instant(), CanaryRound.Fate.MISSED, fates);
    }

    private void conclude(CanaryRound.Outcome outcome) {
        CanaryState.Change change = state.conclude(outcome);
        if (change == CanaryState.Change.MISSED || change == CanaryState.Change.STILL_MISSED) {
            LOGGER.error("Pipeline canary {} missed: {}", outcome.round(), outcome.summary());
            record("canary.missed", outcome);
            if (change == CanaryState.Change.MISSED) {
                alerts.alert("[Bulwark] Pipeline canary missed: mail may pass unscanned",
                    "The pipeline canary was not judged as expected: the mail pipeline may be letting mail through unscanned.\n\n"
                        + outcome.summary().replace("; ", "\n")
                        + "\n\nCheck mailetcontainer.xml (VirusScan, failOpen, the IsCanary checkpoint in transport)."
                        + "\nDetails: GET /healthcheck/checks/Bulwark%20canary and GET /bulwark/events?kind=canary.missed");
            }
        } else {
            if (change == CanaryState.Change.RECOVERED) {
                LOGGER.info("Pipeline canary {} passes again: {}", outcome.round(), outcome.summary());
                record("canary.recovered", outcome);
                alerts.alert("[Bulwark] Pipeline canary passes again", "The pipeline canary was judged as expected again.\n\n"
                    + outcome.summary().replace("; ", "\n"));
            } else if (firstPass) {
                LOGGER.info("Pipeline canary {} passes: {}", outcome.round(), outcome.summary());
            } else {
                LOGGER.debug("Pipeline canary {}: {}", outcome.round(), outcome.summary());
            }
            firstPass = false;
        }
    }

    private void record(String kind, CanaryRound.Outcome outcome) {
        Map<String, String> details = new java.util.HashMap<>(Map.of("round", outcome.round(), "fate", outcome.fate().name()));
        outcome.carriers().forEach((carrier, fate) -> details.put(carrier.asString(), fate.fate().name() + ": " + fate.how()));
        try {
            security.events().record(SecurityEvent.of(outcome.finishedAt(), kind, Optional.empty(), Optional.empty(), List.of(), details));
        } catch (StoreException e) {
            LOGGER.error("Security event {} not stored: {}", kind, e.getMessage());
        }
    }

    @PreDestroy
    public void stop() {
        executor.shutdownNow();
    }
}
