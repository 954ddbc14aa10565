package dev.bulwark.extension;

/** A bulwark.properties problem; the message is one line naming the file, the key and what is expected. */
public class BulwarkConfigurationException extends RuntimeException {
    public BulwarkConfigurationException(String message) {
        super(message);
    }
}
