package dev.bulwark.scanner.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.scanner.clamd.ClamdPool;
import dev.bulwark.scanner.clamd.ClamdPoolConfig;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.EndpointDiscovery;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;

/**
 * clamd endpoints given by a host name, the way containers are scaled: a second real clamd on
 * 127.0.0.2 (same port) appears behind the name and joins after its self-test, an address nothing
 * answers on is refused, an address no longer listed leaves, a DNS outage keeps what is there. The
 * resolver is the test's, the daemons are real.
 */
@ExtendWith(ScannerDaemonsExtension.class)
class EndpointDiscoveryTest {
    private static final MessageContent EICAR = MessageContent.of(TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    private static final String NAME = "clamd.bulwark.test";

    private final AtomicReference<Object> dns = new AtomicReference<>(List.of("127.0.0.1"));
    private final List<String> changes = new CopyOnWriteArrayList<>();
    private ClamdPool pool;
    @TempDir
    Path runDir;

    @AfterEach
    void close() throws Exception {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void followsTheAddressesBehindAName(ScannerDaemons daemons) throws Exception {
        int port = daemons.clamdPort();
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(new WeightedEndpoint(new Endpoint(NAME, port), 1))), ScanTimer.NONE,
            new EndpointDiscovery(Duration.ofHours(1), this::resolve, new EndpointDiscovery.Listener() {
                @Override
                public void joined(String daemon, Endpoint endpoint, String name) {
                    changes.add("joined " + endpoint + " from " + name);
                }

                @Override
                public void left(String daemon, Endpoint endpoint, String name) {
                    changes.add("left " + endpoint);
                }

                @Override
                public void refused(String daemon, Endpoint endpoint, String name, String reason) {
                    changes.add("refused " + endpoint);
                }
            }));
        assertThat(endpoints()).containsExactly("127.0.0.1:" + port);
        assertThat(pool.scan(EICAR).status()).isEqualTo(ScanVerdict.Status.INFECTED);

        // A new address where nothing answers yet: refused, and said once.
        dns.set(List.of("127.0.0.1", "127.0.0.2"));
        pool.refreshEndpoints();
        pool.refreshEndpoints();
        assertThat(endpoints()).containsExactly("127.0.0.1:" + port);
        assertThat(changes).containsExactly("refused 127.0.0.2:" + port);

        try (AutoCloseable second = ScannerDaemonsExtension.startPrivateDaemons(runDir, "127.0.0.2", port, Ports.unused(), Optional.empty())) {
            pool.refreshEndpoints();
            assertThat(endpoints()).containsExactly("127.0.0.1:" + port, "127.0.0.2:" + port);
            assertThat(changes).endsWith("joined 127.0.0.2:" + port + " from " + NAME);

            // The first one is scaled away: it leaves, mail is scanned by the other.
            dns.set(List.of("127.0.0.2"));
            pool.refreshEndpoints();
            assertThat(endpoints()).containsExactly("127.0.0.2:" + port);
            assertThat(changes).endsWith("left 127.0.0.1:" + port);
            ScanVerdict verdict = pool.scan(EICAR);
            assertThat(verdict.status()).isEqualTo(ScanVerdict.Status.INFECTED);
            assertThat(verdict.endpoint()).contains(new Endpoint("127.0.0.2", port));

            // DNS fails: nothing leaves.
            dns.set(new UnknownHostException(NAME));
            pool.refreshEndpoints();
            assertThat(endpoints()).containsExactly("127.0.0.2:" + port);
        }
    }

    @Test
    void withoutDiscoveryANameIsKeptAsGiven(ScannerDaemons daemons) {
        pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(new WeightedEndpoint(new Endpoint("localhost", daemons.clamdPort()), 1))));
        assertThat(endpoints()).containsExactly("localhost:" + daemons.clamdPort());
        pool.refreshEndpoints();
        assertThat(endpoints()).containsExactly("localhost:" + daemons.clamdPort());
    }

    private List<String> resolve(String host) throws UnknownHostException {
        assertThat(host).isEqualTo(NAME);
        Object answer = dns.get();
        if (answer instanceof UnknownHostException e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        List<String> addresses = (List<String>) answer;
        return addresses;
    }

    private List<String> endpoints() {
        return pool.stats().stream().map(stats -> stats.endpoint().endpoint().toString()).toList();
    }
}
