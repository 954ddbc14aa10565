package dev.bulwark.extension.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A bulwark.properties problem; the message is one line naming the file, the key and what is expected. */
public class BulwarkConfigurationException extends RuntimeException {
    private static final Logger LOGGER = LoggerFactory.getLogger(BulwarkConfigurationException.class);

    public BulwarkConfigurationException(String message) {
        super(message);
    }

    /** Start-up problems are logged as the one line an operator needs, before Guice wraps them. */
    public static BulwarkConfigurationException logged(BulwarkConfigurationException e) {
        LOGGER.error(e.getMessage());
        return e;
    }
}
