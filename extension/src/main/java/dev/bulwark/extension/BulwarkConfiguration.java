package dev.bulwark.extension;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.util.DurationParser;

import dev.bulwark.scanner.Endpoint;
import dev.bulwark.scanner.ScannerTimeouts;

/**
 * bulwark.properties, parsed once at start-up into an immutable value. Every key may be overridden by
 * an environment variable {@code BULWARK_<KEY>} (upper case, dots as underscores), so that containers
 * can point the same file at their own scanners. Unknown keys and bad values are start-up errors.
 */
public record BulwarkConfiguration(
    List<Endpoint> clamdEndpoints,
    ScannerTimeouts clamdTimeouts,
    Endpoint spamdEndpoint,
    ScannerTimeouts spamdTimeouts,
    boolean requireScannersAtStartup) {

    public static final String FILE = "bulwark.properties";

    static final String CLAMD_ENDPOINTS = "clamd.endpoints";
    static final String CLAMD_CONNECT_TIMEOUT = "clamd.connectTimeout";
    static final String CLAMD_READ_TIMEOUT = "clamd.readTimeout";
    static final String SPAMD_ENDPOINT = "spamd.endpoint";
    static final String SPAMD_CONNECT_TIMEOUT = "spamd.connectTimeout";
    static final String SPAMD_READ_TIMEOUT = "spamd.readTimeout";
    static final String STARTUP_REQUIRE_SCANNERS = "startup.requireScanners";

    private static final Set<String> KEYS = Set.of(CLAMD_ENDPOINTS, CLAMD_CONNECT_TIMEOUT, CLAMD_READ_TIMEOUT,
        SPAMD_ENDPOINT, SPAMD_CONNECT_TIMEOUT, SPAMD_READ_TIMEOUT, STARTUP_REQUIRE_SCANNERS);

    public BulwarkConfiguration {
        clamdEndpoints = List.copyOf(clamdEndpoints);
    }

    public static BulwarkConfiguration from(Configuration file, Map<String, String> environment) {
        Source source = new Source(file, environment);
        source.rejectUnknownKeys();
        return new BulwarkConfiguration(
            source.required(CLAMD_ENDPOINTS, "host:port[,host:port...]", BulwarkConfiguration::endpoints),
            new ScannerTimeouts(
                source.optional(CLAMD_CONNECT_TIMEOUT, "a duration such as 2s", BulwarkConfiguration::duration).orElse(ScannerTimeouts.DEFAULT.connect()),
                source.optional(CLAMD_READ_TIMEOUT, "a duration such as 30s", BulwarkConfiguration::duration).orElse(ScannerTimeouts.DEFAULT.read())),
            source.required(SPAMD_ENDPOINT, "host:port", Endpoint::parse),
            new ScannerTimeouts(
                source.optional(SPAMD_CONNECT_TIMEOUT, "a duration such as 2s", BulwarkConfiguration::duration).orElse(ScannerTimeouts.DEFAULT.connect()),
                source.optional(SPAMD_READ_TIMEOUT, "a duration such as 30s", BulwarkConfiguration::duration).orElse(ScannerTimeouts.DEFAULT.read())),
            source.optional(STARTUP_REQUIRE_SCANNERS, "true or false", BulwarkConfiguration::bool).orElse(true));
    }

    static String environmentName(String key) {
        return "BULWARK_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static List<Endpoint> endpoints(String value) {
        List<Endpoint> endpoints = Arrays.stream(value.split(","))
            .map(String::trim)
            .filter(v -> !v.isEmpty())
            .map(Endpoint::parse)
            .toList();
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no endpoint given");
        }
        return endpoints;
    }

    private static Duration duration(String value) {
        Duration duration = DurationParser.parse(value, ChronoUnit.SECONDS);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("must be positive");
        }
        return duration;
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    /** The file's values with environment overrides applied, and error messages in one format. */
    private record Source(Configuration file, Map<String, String> environment) {

        void rejectUnknownKeys() {
            TreeSet<String> unknown = new TreeSet<>();
            file.getKeys().forEachRemaining(key -> {
                if (!KEYS.contains(key)) {
                    unknown.add(key);
                }
            });
            if (!unknown.isEmpty()) {
                throw new BulwarkConfigurationException(FILE + ": unknown key " + String.join(", ", unknown)
                    + ", expected one of " + new TreeSet<>(KEYS));
            }
        }

        <T> T required(String key, String expected, Function<String, T> parser) {
            return optional(key, expected, parser).orElseThrow(() -> new BulwarkConfigurationException(
                FILE + ": " + key + " is missing, expected " + expected));
        }

        <T> Optional<T> optional(String key, String expected, Function<String, T> parser) {
            Optional<String> value = raw(key);
            try {
                return value.map(parser);
            } catch (RuntimeException e) {
                throw new BulwarkConfigurationException(FILE + ": " + key + " is '" + value.get() + "'"
                    + origin(key) + ", expected " + expected + " (" + e.getMessage() + ")");
            }
        }

        private Optional<String> raw(String key) {
            String fromEnvironment = environment.get(environmentName(key));
            if (fromEnvironment != null) {
                return Optional.of(fromEnvironment.trim()).filter(v -> !v.isEmpty());
            }
            // James splits list values on commas; join them back so each key reads as written.
            String joined = Arrays.stream(file.getStringArray(key)).map(String::trim).collect(Collectors.joining(","));
            return Optional.of(joined).filter(v -> !v.isEmpty());
        }

        private String origin(String key) {
            return environment.containsKey(environmentName(key)) ? " (from " + environmentName(key) + ")" : "";
        }
    }
}
