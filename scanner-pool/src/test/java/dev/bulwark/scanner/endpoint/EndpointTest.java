package dev.bulwark.scanner.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {
    @Test
    void parsesHostAndPort() {
        assertThat(Endpoint.parse(" clamav.internal:3310 ")).isEqualTo(new Endpoint("clamav.internal", 3310));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "localhost:", ":3310", "localhost:abc", "localhost:0", "localhost:70000"})
    void rejectsWhatIsNotHostColonPort(String value) {
        assertThatThrownBy(() -> Endpoint.parse(value)).isInstanceOf(IllegalArgumentException.class);
    }
}
