package dev.bulwark.extension.scanners;

import java.util.List;

import javax.inject.Inject;

import org.apache.james.mailetcontainer.impl.CompositeProcessorImpl;
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
 * bulwark.properties, checks that the settings naming a processor name processors of the mailet container (James
 * has built it from mailetcontainer.xml by then) and PINGs every scanner. Unless {@code startup.requireScanners=false}, a scanner
 * that does not answer stops James, since mail would otherwise pile up unscanned; otherwise it starts
 * out of service and the pool's prober puts it back when it answers.
 */
public class BulwarkStartupCheck implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BulwarkStartupCheck.class);

    private final BulwarkConfiguration configuration;
    private final Scanners scanners;
    private final ConfigurationProvider jamesConfiguration;
    private final SecurityEventSink events;
    private final CompositeProcessorImpl mailetContainer;

    @Inject
    public BulwarkStartupCheck(BulwarkConfiguration configuration, Scanners scanners, ConfigurationProvider jamesConfiguration,
                               SecurityEventSink events, CompositeProcessorImpl mailetContainer) {
        this.configuration = configuration;
        this.scanners = scanners;
        this.jamesConfiguration = jamesConfiguration;
        this.events = events;
        this.mailetContainer = mailetContainer;
    }

    @Override
    public void start() {
        checkProcessorNames();
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

    private void checkProcessorNames() {
        java.util.List<String> processors = java.util.List.of(mailetContainer.getProcessorStates());
        if (processors.isEmpty()) {
            // James builds the container from mailetcontainer.xml before it starts extensions; should that ever change, say so.
            LOGGER.warn("Bulwark: the mailet container has no processors yet; the processor names of {} not checked", BulwarkConfiguration.FILE);
            return;
        }
        List<String> problems = ProcessorNamesCheck.problems(configuration, processors);
        if (!problems.isEmpty()) {
            throw BulwarkConfigurationException.logged(new BulwarkConfigurationException(String.join("; ", problems)));
        }
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
