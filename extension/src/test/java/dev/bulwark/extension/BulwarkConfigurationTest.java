package dev.bulwark.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.convert.DefaultListDelimiterHandler;
import org.junit.jupiter.api.Test;

import dev.bulwark.scanner.Endpoint;

class BulwarkConfigurationTest {
    /** As James's PropertiesProvider builds it: commas split values into lists. */
    private static PropertiesConfiguration file(String... keyValues) {
        PropertiesConfiguration configuration = new PropertiesConfiguration();
        configuration.setListDelimiterHandler(new DefaultListDelimiterHandler(','));
        for (int i = 0; i < keyValues.length; i += 2) {
            configuration.addProperty(keyValues[i], keyValues[i + 1]);
        }
        return configuration;
    }

    @Test
    void readsEndpointsAndAppliesDefaults() {
        BulwarkConfiguration configuration = BulwarkConfiguration.from(
            file("clamd.endpoints", "a:3310, b:3311", "spamd.endpoint", "c:783"), Map.of());
        assertThat(configuration.clamdEndpoints()).containsExactly(new Endpoint("a", 3310), new Endpoint("b", 3311));
        assertThat(configuration.spamdEndpoint()).isEqualTo(new Endpoint("c", 783));
        assertThat(configuration.clamdTimeouts().read()).isEqualTo(Duration.ofSeconds(30));
        assertThat(configuration.requireScannersAtStartup()).isTrue();
    }

    @Test
    void environmentOverridesTheFile() {
        BulwarkConfiguration configuration = BulwarkConfiguration.from(
            file("clamd.endpoints", "127.0.0.1:3310", "spamd.endpoint", "127.0.0.1:783", "clamd.readTimeout", "30s"),
            Map.of("BULWARK_CLAMD_ENDPOINTS", "clamav:3310", "BULWARK_CLAMD_READTIMEOUT", "500ms"));
        assertThat(configuration.clamdEndpoints()).containsExactly(new Endpoint("clamav", 3310));
        assertThat(configuration.clamdTimeouts().read()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void badEnvironmentValueSaysWhereItCameFrom() {
        assertThatThrownBy(() -> BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spamd.endpoint", "b:2"),
            Map.of("BULWARK_SPAMD_ENDPOINT", "spamd")))
            .isInstanceOf(BulwarkConfigurationException.class)
            .hasMessageStartingWith("bulwark.properties: spamd.endpoint is 'spamd' (from BULWARK_SPAMD_ENDPOINT), expected host:port");
    }

    @Test
    void everyProblemIsOneLine() {
        List<PropertiesConfiguration> broken = List.of(
            file("spamd.endpoint", "b:2"),
            file("clamd.endpoints", "a:1", "spamd.endpoint", "b:2", "clamd.connectTimeout", "-1s"),
            file("clamd.endpoints", "a:1", "spamd.endpoint", "b:2", "startup.requireScanners", "maybe"),
            file("clamd.endpoints", "a:1", "spamd.endpoint", "b:2", "clamd.timeout", "1s"));
        assertThat(broken).allSatisfy(configuration ->
            assertThatThrownBy(() -> BulwarkConfiguration.from(configuration, Map.of()))
                .isInstanceOf(BulwarkConfigurationException.class)
                .hasMessageStartingWith("bulwark.properties: ")
                .hasMessageNotContaining("\n"));
    }
}
