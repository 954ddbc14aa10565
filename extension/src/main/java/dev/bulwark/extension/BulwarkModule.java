package dev.bulwark.extension;

import java.io.FileNotFoundException;
import java.time.Clock;

import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.utils.PropertiesProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import dev.bulwark.extension.alerts.AdminAlerts;
import dev.bulwark.extension.canary.CanaryObservations;
import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.config.BulwarkConfigurationException;
import dev.bulwark.extension.config.WebAdminSettings;
import dev.bulwark.extension.quarantine.IndexInSecurityStore;
import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.extension.store.EventFanOut;
import dev.bulwark.extension.store.SecurityStoreLifecycle;
import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.quarantine.QuarantineEntryCodec;
import dev.bulwark.quarantine.QuarantineStorageException;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamLearner;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.security.OutbreakDetector;
import dev.bulwark.security.SecurityEventSink;
import dev.bulwark.security.SecurityStore;

/**
 * The Guice module James loads from {@code extensions.properties}
 * ({@code guice.extension.module=dev.bulwark.extension.BulwarkModule}). It parses bulwark.properties once
 * and binds the scanners Bulwark's mailets inject.
 */
public class BulwarkModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(BulwarkModule.class);

    @Override
    protected void configure() {
        // The spam engines users teach (learning room): each engine adds its learner to the set.
        Multibinder.newSetBinder(binder(), SpamLearner.class);
        // The mailets' runtime policies (ApplyPolicy, SmtpScanHook), read from the security store.
        bind(dev.bulwark.mailets.PolicyLookup.class).to(dev.bulwark.extension.policy.StorePolicyLookup.class);
    }

    @Provides
    @Singleton
    BulwarkConfiguration configuration(PropertiesProvider propertiesProvider) {
        try {
            return BulwarkConfiguration.from(propertiesProvider.getConfiguration("bulwark"), System.getenv());
        } catch (FileNotFoundException e) {
            throw BulwarkConfigurationException.logged(new BulwarkConfigurationException(BulwarkConfiguration.FILE
                + ": not found in James's conf folder; copy it from Bulwark's james-conf/ and set clamd.endpoints and spamd.endpoints (or spam.engine=rspamd and rspamd.endpoints)"));
        } catch (ConfigurationException e) {
            throw BulwarkConfigurationException.logged(new BulwarkConfigurationException(BulwarkConfiguration.FILE + ": cannot be read: " + e.getMessage()));
        } catch (BulwarkConfigurationException e) {
            throw BulwarkConfigurationException.logged(e);
        }
    }

    /**
     * The webadmin settings Bulwark's routes rely on, checked when webadmin loads them: JWT on (or waived
     * in bulwark.properties), {@code cors.origin} one origin, the public key readable.
     */
    @Provides
    @Singleton
    WebAdminSettings webAdminSettings(PropertiesProvider propertiesProvider, BulwarkConfiguration configuration, FileSystem fileSystem) {
        try {
            return WebAdminSettings.from(propertiesProvider.getConfiguration("webadmin"), configuration.webAdmin(), url -> {
                try {
                    return java.nio.file.Files.isReadable(fileSystem.getFile(url).toPath());
                } catch (java.io.IOException | RuntimeException e) {
                    return false;
                }
            });
        } catch (FileNotFoundException e) {
            // No webadmin.properties: James runs no webadmin, so none of Bulwark's routes is served.
            return new WebAdminSettings(false, false, java.util.Set.of());
        } catch (ConfigurationException e) {
            throw BulwarkConfigurationException.logged(new BulwarkConfigurationException(WebAdminSettings.FILE + ": cannot be read: " + e.getMessage()));
        } catch (BulwarkConfigurationException e) {
            throw BulwarkConfigurationException.logged(e);
        }
    }

    @Provides
    @Singleton
    VirusScanner virusScanner(Scanners scanners) {
        return scanners.clamd();
    }

    @Provides
    @Singleton
    SpamChecker spamChecker(Scanners scanners) {
        return scanners.spam();
    }

    /**
     * The spam engine in use learns from users' moves into and out of junk: spamd over TELL (spamd started with
     * --allow-tell), or rspamd through its controller ({@code /learnspam}, {@code /learnham}).
     */
    @ProvidesIntoSet
    @Singleton
    SpamLearner spamLearner(Scanners scanners) {
        return scanners.spamLearner();
    }

    /**
     * The quarantine, and held mail beside it, on the mail repository named by {@code quarantine.repository},
     * indexed in the security store (listed, counted and filtered from there once the start-up check has run).
     * The repository is looked up on use: James initialises its repository store after the extension is wired.
     */
    @Provides
    @Singleton
    QuarantineStore quarantineStore(BulwarkConfiguration configuration, MailRepositoryStore repositories, SecurityStore security) {
        MailRepositoryUrl url = MailRepositoryUrl.from(configuration.quarantine().repository());
        return new QuarantineStore(() -> {
            try {
                return repositories.select(url);
            } catch (MailRepositoryStore.MailRepositoryStoreException | RuntimeException e) {
                throw new QuarantineStorageException("cannot open the quarantine repository " + url.asString(), e);
            }
        }, configuration.quarantine().retention(), configuration.quarantine().heldRetention(), Clock.systemUTC(),
            java.util.Optional.of(new IndexInSecurityStore(security.quarantineIndex(), new QuarantineEntryCodec())));
    }

    @Provides
    @Singleton
    SecurityStore securityStore(SecurityStoreLifecycle lifecycle) {
        return lifecycle.store();
    }

    /**
     * Mail processing records its events through a bounded queue, never waiting on the database;
     * each also counts in James's metrics, and detections feed the outbreak detector.
     */
    @Provides
    @Singleton
    SecurityEventSink securityEventSink(SecurityStoreLifecycle lifecycle, OutbreakDetector outbreaks, MetricFactory metrics,
                                        CanaryObservations canary) {
        return new EventFanOut(lifecycle.eventWriter(), outbreaks, metrics, canary::observe);
    }

    /**
     * The pipeline's scan stamp, under {@code mailbox.stampKey} when set, otherwise under a key made once and
     * shared by every node through the security store: what one node stamps, the others accept.
     */
    @Provides
    @Singleton
    ScanStamp scanStamp(BulwarkConfiguration configuration, SecurityStore store) {
        return new ScanStamp(configuration.mailbox().stampKey().map(key -> java.util.Base64.getDecoder().decode(key))
            .orElseGet(() -> store.secrets().getOrCreate("scan-stamp", 32)));
    }

    @Provides
    @Singleton
    OutbreakDetector outbreakDetector(BulwarkConfiguration configuration, SecurityStoreLifecycle lifecycle, com.google.inject.Provider<AdminAlerts> alerts) {
        return new OutbreakDetector(() -> outbreakSettings(configuration, lifecycle), Clock.systemUTC(), event -> {
            lifecycle.eventWriter().record(event);
            String what = event.kind().equals("outbreak.started") ? "outbreak started" : "outbreak ended";
            LOGGER.warn("Virus {}: {}", what, event.details().get("cause"));
            if (outbreakMode(lifecycle) == dev.bulwark.security.policy.Policy.OutbreakMode.LOG) {
                return; // the default policy's outbreak.mode log: the event and the log line only, no alert
            }
            alerts.get().alert("[Bulwark] Virus " + what + ": " + event.details().get("cause"),
                "Virus " + what + ".\n\n" + event.details() + "\n\nNow: GET /bulwark/outbreak; recent detections: GET /bulwark/stats?window=1h");
        });
    }

    /**
     * The default runtime policy's outbreak thresholds and window (docs/policy.md), from the store's snapshot, so that a
     * change applies within store.cacheTtl; the quiet period stays bulwark.properties'. bulwark.properties' values
     * (which seeded the policy) while the store cannot say.
     */
    private static dev.bulwark.security.OutbreakSettings outbreakSettings(BulwarkConfiguration configuration, SecurityStoreLifecycle lifecycle) {
        try {
            dev.bulwark.security.policy.Policy.Outbreak outbreak = lifecycle.store().policies().currentDefault().outbreak();
            return new dev.bulwark.security.OutbreakSettings(outbreak.window(), outbreak.perVirus(), outbreak.total(),
                configuration.outbreak().quietPeriod());
        } catch (RuntimeException e) {
            LOGGER.debug("Outbreak settings from bulwark.properties: the default policy cannot be read: {}", e.getMessage());
            return configuration.outbreak();
        }
    }

    private static dev.bulwark.security.policy.Policy.OutbreakMode outbreakMode(SecurityStoreLifecycle lifecycle) {
        try {
            return lifecycle.store().policies().currentDefault().outbreak().mode();
        } catch (RuntimeException e) {
            return dev.bulwark.security.policy.Policy.OutbreakMode.NOTIFY;
        }
    }
}
