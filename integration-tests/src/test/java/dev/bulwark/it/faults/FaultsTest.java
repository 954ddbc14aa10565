package dev.bulwark.it.faults;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.ConfFolder;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Faults that must not lose mail: one of two clamd endpoints dead under load (the pool fails over),
 * and a quarantine that cannot be written (the mail is held and quarantined once it can be). This
 * James lists a dead clamd after the real one and rescans held mail every second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultsTest {
    private static final String SENDER = "faults@outside.test";
    private static final int DEAD_CLAMD = Ports.unused();

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> addDeadClamd(conf)
        .setProperty("bulwark.properties", "startup.requireScanners", "false")
        .setProperty("bulwark.properties", "rescan.interval", "1s"));

    /** The run's clamd stays first; a port nobody listens on is added after it. */
    private static ConfFolder addDeadClamd(ConfFolder conf) {
        try {
            String properties = Files.readString(conf.file("bulwark.properties"));
            java.util.regex.Matcher endpoints = java.util.regex.Pattern.compile("(?m)^clamd\\.endpoints=(.*)$").matcher(properties);
            if (!endpoints.find()) {
                throw new IllegalStateException("no clamd.endpoints in bulwark.properties");
            }
            return conf.setProperty("bulwark.properties", "clamd.endpoints", endpoints.group(1).trim() + ",127.0.0.1:" + DEAD_CLAMD);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private final BulwarkJames james;
    private final MailClients clients;

    FaultsTest(BulwarkJames james, MailClients clients) {
        this.james = james;
        this.clients = clients;
    }

    @Test
    void oneDeadClamdOfTwoLosesNothingUnderLoad() throws Exception {
        String recipient = james.addUser("failover");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int index = i;
                sent.add(pool.submit(() -> {
                    String message = index % 5 == 0
                        ? TestSamples.messageWithAttachment(SENDER, recipient, "failover " + index, "x.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII))
                        : TestSamples.plainMessage(SENDER, recipient, "failover " + index, "hello " + index);
                    clients.send(SENDER, recipient, message);
                    return null;
                }));
            }
            for (Future<?> future : sent) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        AWAIT.atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            assertThat(clients.inboxCount(recipient)).isEqualTo(32);
            assertThat(clients.quarantine("recipient=" + recipient)).hasSize(8);
        });
        assertThat(clients.nothingHeldForARescan()).isTrue();
        clients.webAdmin().get("/bulwark/scanners").then()
            .body("pools.clamd.find { it.endpoint == '127.0.0.1:" + DEAD_CLAMD + "' }.inService", org.hamcrest.Matchers.equalTo(false));
    }

    @Test
    void aQuarantineThatCannotBeWrittenHoldsTheMailUntilItCan() throws Exception {
        String recipient = james.addUser("unwritable");
        // Where the file:// quarantine wants its folder, a plain file: every write fails.
        Path folder = james.workDir().resolve("var/mail/quarantine");
        Path moved = james.workDir().resolve("var/mail/quarantine.real");
        Files.createDirectories(folder.getParent());
        if (Files.exists(folder)) {
            Files.move(folder, moved);
        }
        Files.writeString(folder, "not a folder");

        clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, "unwritable", "x.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));

        // Held with the scan failures (and sent back every second), never delivered.
        AWAIT.until(() -> clients.webAdmin().get("/bulwark/events?kind=verdict.infected&recipient=" + recipient)
            .then().extract().jsonPath().getList("$").size() >= 2);
        assertThat(clients.inboxCount(recipient)).isZero();

        Files.delete(folder);
        if (Files.exists(moved)) {
            Files.move(moved, folder);
        }
        assertThat(clients.awaitQuarantined("unwritable").get("reason")).isEqualTo("virus");
        AWAIT.until(clients::nothingHeldForARescan);
        assertThat(clients.inboxCount(recipient)).isZero();
    }
}
