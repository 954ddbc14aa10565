package dev.bulwark.it.cluster;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * clamd given to James by host name, as a container service is: the name's addresses change (the
 * JVM reads them from a hosts file this test rewrites; its own Surefire execution sets
 * {@code jdk.net.hosts.file} and turns the address cache off), and the pool follows: a second real clamd
 * on 127.0.0.2 joins after its self-test, an address where nothing answers is refused, the first one
 * leaves when the name no longer lists it, and mail goes on being scanned.
 */
@ExtendWith(JamesStarterExtension.class)
class ScannerDiscoveryTest {
    private static final String NAME = "clamd.bulwark.test";
    private static final String SENDER = "outside@example.com";

    @RegisterExtension
    static final PrivateScanners FIRST = PrivateScanners.onFreePorts().startedByTest();
    /** On 127.0.0.2, at the first one's port: the same service, scaled up. */
    @RegisterExtension
    static final PrivateScanners SECOND = PrivateScanners.onFreePorts().onHost("127.0.0.2").withClamdPort(FIRST.clamdPort()).startedByTest();

    @Test
    void theClamdPoolFollowsTheAddressesOfItsHostName(JamesStarter jameses) throws Exception {
        String hostsFile = System.getProperty("jdk.net.hosts.file");
        Assumptions.assumeTrue(hostsFile != null, "runs in the scanner-discovery Surefire execution, which sets jdk.net.hosts.file");
        Path hosts = Path.of(hostsFile);
        resolve(hosts, "127.0.0.1");

        int port = FIRST.clamdPort();
        try (AutoCloseable first = FIRST.start();
             BulwarkJames james = jameses.start(conf -> conf
                 .setProperty("bulwark.properties", "clamd.endpoints", NAME + ":" + port)
                 .setProperty("bulwark.properties", "clamd.resolveInterval", "500ms"))) {
            MailClients clients = new MailClients(james);
            assertThat(clamdEndpoints(clients)).containsExactly("127.0.0.1:" + port);

            // Scaled up, but the new address has no clamd yet: refused, not used.
            resolve(hosts, "127.0.0.1", "127.0.0.3");
            AWAIT.untilAsserted(() -> assertThat(events(clients, "scanner.refused")).contains("127.0.0.3:" + port));
            assertThat(clamdEndpoints(clients)).containsExactly("127.0.0.1:" + port);

            try (AutoCloseable second = SECOND.start()) {
                resolve(hosts, "127.0.0.1", "127.0.0.2");
                AWAIT.untilAsserted(() -> assertThat(clamdEndpoints(clients)).containsExactly("127.0.0.1:" + port, "127.0.0.2:" + port));
                // Membership events are stored in the background: the pool may list the change first.
                AWAIT.untilAsserted(() -> assertThat(events(clients, "scanner.joined")).containsExactly("127.0.0.2:" + port));

                // Scaled down: the first one leaves, mail is scanned by the second.
                resolve(hosts, "127.0.0.2");
                AWAIT.untilAsserted(() -> assertThat(clamdEndpoints(clients)).containsExactly("127.0.0.2:" + port));
                AWAIT.untilAsserted(() -> assertThat(events(clients, "scanner.left")).containsExactly("127.0.0.1:" + port));

                String recipient = james.addUser("scaled");
                clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, "scanned after scaling", "e.com",
                    TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
                assertThat(clients.awaitQuarantined("scanned after scaling").get("reason")).isEqualTo("virus");
                AWAIT.untilAsserted(() -> assertThat(events(clients, "verdict.infected")).contains("127.0.0.2:" + port));
            }
        }
    }

    private static List<String> clamdEndpoints(MailClients clients) {
        return clients.webAdmin().get("/bulwark/scanners").then().statusCode(200).extract().jsonPath().getList("pools.clamd.endpoint", String.class);
    }

    /** The endpoint named by each event of this kind, newest first. */
    private static List<String> events(MailClients clients, String kind) {
        return clients.webAdmin().get("/bulwark/events?kind=" + kind).then().statusCode(200).extract().jsonPath()
            .getList("details.endpoint", String.class);
    }

    /** The hosts file the JVM reads: NAME at these addresses, and this machine's own name, which James looks up. */
    private static void resolve(Path hosts, String... addresses) {
        try {
            StringBuilder content = new StringBuilder("127.0.0.1 localhost\n");
            String self = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            content.append("127.0.0.1 ").append(self).append('\n');
            for (String address : addresses) {
                content.append(address).append(' ').append(NAME).append('\n');
            }
            Path written = Files.writeString(hosts.resolveSibling(hosts.getFileName() + ".new"), content);
            Files.move(written, hosts, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
