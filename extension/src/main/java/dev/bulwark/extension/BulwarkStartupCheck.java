package dev.bulwark.extension;

import java.io.IOException;

import javax.inject.Inject;

import org.apache.james.utils.UserDefinedStartable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.scanner.ClamdClient;

/**
 * Runs when James starts ({@code guice.extension.startable} in extensions.properties): reads
 * bulwark.properties and, unless {@code startup.requireScanners=false}, refuses to start James when a
 * configured scanner does not answer, since mail would otherwise pile up unscanned.
 */
public class BulwarkStartupCheck implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BulwarkStartupCheck.class);

    private final BulwarkConfiguration configuration;
    private final Scanners scanners;

    @Inject
    public BulwarkStartupCheck(BulwarkConfiguration configuration, Scanners scanners) {
        this.configuration = configuration;
        this.scanners = scanners;
    }

    @Override
    public void start() {
        for (ClamdClient clamd : scanners.clamd()) {
            try {
                clamd.ping();
                LOGGER.info("Bulwark: clamd at {} answers, {}", clamd.endpoint(), clamd.version());
            } catch (IOException e) {
                unreachable(BulwarkConfiguration.CLAMD_ENDPOINTS, "clamd at " + clamd.endpoint(), e);
            }
        }
        try {
            scanners.spamd().ping();
            LOGGER.info("Bulwark: spamd at {} answers", scanners.spamd().endpoint());
        } catch (IOException e) {
            unreachable(BulwarkConfiguration.SPAMD_ENDPOINT, "spamd at " + scanners.spamd().endpoint(), e);
        }
    }

    private void unreachable(String key, String scanner, IOException e) {
        String message = BulwarkConfiguration.FILE + ": " + key + ": " + scanner + " does not answer PING (" + e.getMessage()
            + "); start it, fix " + key + ", or set " + BulwarkConfiguration.STARTUP_REQUIRE_SCANNERS + "=false";
        if (configuration.requireScannersAtStartup()) {
            throw BulwarkModule.logged(new BulwarkConfigurationException(message));
        }
        LOGGER.warn(message);
    }
}
