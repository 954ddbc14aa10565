package dev.bulwark.extension.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.config.BulwarkConfigurationException;
import dev.bulwark.extension.privacy.OwnerOnly;
import dev.bulwark.security.AddressPattern;
import dev.bulwark.security.AsyncEventWriter;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SecurityStoreConfig;
import dev.bulwark.security.SenderList;
import dev.bulwark.security.StoreException;

/**
 * Opens the security store once (a relative SQLite file lives under James's working directory),
 * adds the seeds of bulwark.properties that are missing, and closes it when James stops. Its event
 * writer counts what it cannot store in James's metrics ({@code bulwark_events_unstored},
 * {@code bulwark_events_write_failures}, the gauge {@code bulwark_events_backlog}); the health check
 * {@link EventStoreHealthCheck} reports its backlog.
 */
@Singleton
public class SecurityStoreLifecycle {
    private static final Logger LOGGER = LoggerFactory.getLogger(SecurityStoreLifecycle.class);
    private static final String SQLITE = "jdbc:sqlite:";

    /** Events from mail processing queue up to this many while the database is slow; beyond, they are dropped and counted. */
    static final int EVENT_QUEUE = 10_000;

    private final SecurityStore store;
    private final AsyncEventWriter eventWriter;

    /** Events that will never be in the store (queue full, or left at shutdown); each is in the event log. */
    static final String UNSTORED_METRIC = "bulwark_events_unstored";
    /** Events in batch writes the store refused (each try counts); they are kept and written again. */
    static final String WRITE_FAILURES_METRIC = "bulwark_events_write_failures";
    /** Events waiting to be written. */
    static final String BACKLOG_GAUGE = "bulwark_events_backlog";

    @Inject
    public SecurityStoreLifecycle(BulwarkConfiguration configuration, JamesDirectoriesProvider directories, MetricFactory metrics,
                                  GaugeRegistry gauges) {
        BulwarkConfiguration.Store settings = configuration.store();
        String url = resolve(settings.url(), Path.of(directories.getRootDirectory()));
        try {
            this.store = SecurityStore.open(new SecurityStoreConfig(url, settings.user(), settings.password(),
                settings.maxConnections(), settings.cacheTtl()), Clock.systemUTC());
        } catch (StoreException e) {
            throw BulwarkConfigurationException.logged(new BulwarkConfigurationException(BulwarkConfiguration.FILE + ": "
                + BulwarkConfiguration.STORE_URL + ": " + e.getMessage()));
        }
        seed(configuration.seeds());
        seedPolicies(configuration.outbreak());
        Metric unstored = metrics.generate(UNSTORED_METRIC);
        Metric writeFailures = metrics.generate(WRITE_FAILURES_METRIC);
        this.eventWriter = new AsyncEventWriter(store.events(), EVENT_QUEUE, new AsyncEventWriter.Listener() {
            @Override
            public void unstored(int count) {
                unstored.add(count);
            }

            @Override
            public void writeFailed(int batchSize) {
                writeFailures.add(batchSize);
            }
        }, Clock.systemUTC());
        gauges.register(BACKLOG_GAUGE, eventWriter::pending);
        LOGGER.info("Bulwark security store at {}", url.replaceAll("password=[^&]*", "password=***"));
    }

    public SecurityStore store() {
        return store;
    }

    public AsyncEventWriter eventWriter() {
        return eventWriter;
    }

    private void seed(BulwarkConfiguration.Seeds seeds) {
        add(SenderList.ALLOW, seeds.allow());
        add(SenderList.BLOCK, seeds.block());
        seeds.groups().forEach((group, members) -> members.forEach(member -> {
            if (store.groups().add(group, AddressPattern.parse(member))) {
                LOGGER.info("Group {}: added {} from {}", group, member, BulwarkConfiguration.FILE);
            }
        }));
    }

    /**
     * A new store starts from the policy the sample pipeline had as XML and properties: the built-in default
     * with bulwark.properties' outbreak thresholds, and group {@value #STRICT_GROUP}'s spam quarantined from
     * spamd's usual threshold (the former {@code strict} processor). Never again once the store has a policy.
     */
    private void seedPolicies(dev.bulwark.security.OutbreakSettings outbreak) {
        if (store.policies().seedIfEmpty(dev.bulwark.security.policy.PolicyDefaults.builtInDocument(outbreak),
            java.util.Map.of(STRICT_GROUP, dev.bulwark.security.policy.PolicyDocuments.read(STRICT_POLICY)), "seed from " + BulwarkConfiguration.FILE)) {
            LOGGER.info("Policies: the default policy and group {}'s seeded from {} (GET /bulwark/policies)", STRICT_GROUP, BulwarkConfiguration.FILE);
        }
    }

    static final String STRICT_GROUP = "strict";
    static final String STRICT_POLICY = "{\"spam\": {\"tagAt\": 3.0, \"quarantineAt\": 5.0}}";

    private void add(SenderList list, List<String> patterns) {
        for (String pattern : patterns) {
            if (store.lists().add(list, AddressPattern.parse(pattern), "from " + BulwarkConfiguration.FILE)) {
                LOGGER.info("Sender {} list: added {} from {}", list.asString(), pattern, BulwarkConfiguration.FILE);
            }
        }
    }

    /**
     * A relative SQLite file is under James's working directory. A missing folder is created owner-only
     * and the file is owner-only (SQLite gives its journal files the database file's permissions): the
     * events name senders, recipients and subjects.
     */
    static String resolve(String url, Path jamesRoot) {
        if (!url.startsWith(SQLITE) || url.startsWith(SQLITE + ":memory:")) {
            return url;
        }
        Path file = jamesRoot.resolve(url.substring(SQLITE.length())).normalize();
        try {
            OwnerOnly.newFolder(file.getParent());
            OwnerOnly.file(file);
        } catch (IOException e) {
            throw BulwarkConfigurationException.logged(new BulwarkConfigurationException(BulwarkConfiguration.FILE + ": "
                + BulwarkConfiguration.STORE_URL + ": cannot create " + file.getParent() + ": " + e.getMessage()));
        }
        return SQLITE + file;
    }

    @PreDestroy
    public void close() {
        eventWriter.close();
        store.close();
    }
}
