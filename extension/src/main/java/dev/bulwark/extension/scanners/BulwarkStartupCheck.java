package dev.bulwark.extension.scanners;

import java.util.List;

import javax.inject.Inject;

import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.utils.UserDefinedStartable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.config.BulwarkConfigurationException;
import dev.bulwark.scanner.integrity.ProbeTarget;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.pool.EnginePool;
import dev.bulwark.security.SecurityEventSink;

/**
 * Runs when James starts ({@code guice.extension.startable} in extensions.properties): reads
 * bulwark.properties and PINGs every scanner. Unless {@code startup.requireScanners=false}, a scanner
 * that does not answer stops James, since mail would otherwise pile up unscanned; otherwise it starts
 * out of service and the pool's prober puts it back when it answers.
 */
public class BulwarkStartupCheck implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BulwarkStartupCheck.class);

    private final BulwarkConfiguration configuration;
    private final Scanners scanners;
    private final ConfigurationProvider jamesConfiguration;
    private final SecurityEventSink events;

    @Inject
    public BulwarkStartupCheck(BulwarkConfiguration configuration, Scanners scanners, ConfigurationProvider jamesConfiguration,
                               SecurityEventSink events) {
        this.configuration = configuration;
        this.scanners = scanners;
        this.jamesConfiguration = jamesConfiguration;
        this.events = events;
    }

    @Override
    public void start() {
        for (EnginePool<?, ?, ?> pool : scanners.pools()) {
            report(BulwarkConfiguration.endpointsKey(pool.daemon()), pool.daemon(), pool.checkEndpoints());
        }
        checkSizeLimits();
        for (EnginePool<?, ?, ?> pool : scanners.pools()) {
            pool.clients().forEach(BulwarkStartupCheck::logVersion);
        }
    }

    /** The engine and signature version of engines that report one (clamd's VERSION). */
    private static void logVersion(ProbeTarget client) {
        client.versionQuery().ifPresent(query -> {
            try {
                LOGGER.info("Bulwark: {} at {} answers, {}", client.daemon(), client.endpoint(), query.ask().engine());
            } catch (java.io.IOException e) {
                LOGGER.warn("Bulwark: {} at {} gives no VERSION: {}", client.daemon(), client.endpoint(), e.getMessage());
            }
        });
    }

    private void checkSizeLimits() {
        try {
            SizeLimitCheck.check(jamesConfiguration.getConfiguration("smtpserver"), configuration.clamd().maxStreamSize())
                .forEach(events::record);
        } catch (org.apache.commons.configuration2.ex.ConfigurationException | RuntimeException e) {
            LOGGER.info("Bulwark: smtpserver.xml not read, SMTP and scan size limits not compared: {}", e.getMessage());
        }
    }

    private void report(String key, String daemon, List<EndpointStats> endpoints) {
        for (EndpointStats endpoint : endpoints) {
            if (endpoint.available()) {
                continue;
            }
            String message = BulwarkConfiguration.FILE + ": " + key + ": " + daemon + " at " + endpoint.endpoint().endpoint()
                + " does not answer PING (" + endpoint.lastFailure().orElse("no answer") + "); start it, fix " + key
                + ", or set " + BulwarkConfiguration.STARTUP_REQUIRE_SCANNERS + "=false";
            if (configuration.requireScannersAtStartup()) {
                throw BulwarkConfigurationException.logged(new BulwarkConfigurationException(message));
            }
            LOGGER.warn(message);
        }
    }
}
