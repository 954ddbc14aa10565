package dev.bulwark.it;

import static dev.bulwark.it.MailClients.AWAIT;
import static dev.bulwark.it.MailClients.SCAN_FAILED;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * Fail-closed, then recovery: James starts while its clamd is not there yet. Accepted mail is held in
 * the scan-failed repository, never delivered unscanned, and /healthcheck says why. When a real clamd
 * starts on that address, the pool puts it back in service and the held mail is rescanned and delivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScanFailureTest {
    /** The clamd James is given, started only by the last test. */
    @RegisterExtension
    @Order(1)
    static final PrivateScanners LATECOMER = PrivateScanners.onFreePorts().startedByTest();

    @RegisterExtension
    @Order(2)
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "clamd.endpoints", LATECOMER.clamdAddress())
        .setProperty("bulwark.properties", "clamd.probeInterval", "200ms")
        .setProperty("bulwark.properties", "rescan.interval", "500ms")
        .setProperty("bulwark.properties", "startup.requireScanners", "false"));

    private final int latecomerClamdPort = LATECOMER.clamdPort();
    private BulwarkJames james;
    private MailClients clients;
    private String recipient;

    @BeforeAll
    void startWithClamdDown(BulwarkJames james) throws Exception {
        this.james = james;
        clients = new MailClients(james);
        recipient = james.addUser("held");
    }

    @Test
    @Order(1)
    void mailIsHeldNotDeliveredWhileNoClamdAnswers() throws Exception {
        clients.send("sender@example.com", recipient, TestSamples.plainMessage("sender@example.com", recipient, "urgent", "hello"));

        AWAIT.until(() -> !clients.repositoryKeys(SCAN_FAILED).isEmpty());
        String held = clients.repositoryMessage(SCAN_FAILED, clients.repositoryKeys(SCAN_FAILED).get(0));
        assertThat(held).contains("Subject: urgent");
        assertThat(clients.inboxCount(recipient)).isZero();
        // Held mail is unscanned personal mail: owner-only on disk (PrivateFileMailRepository).
        assertThat(PrivateFiles.assertOwnerOnlyFolder(james.workDir().resolve(SCAN_FAILED))).isNotEmpty();
    }

    @Test
    @Order(2)
    void healthCheckIsUnhealthyAndSaysWhy() {
        var check = clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().extract().jsonPath();
        assertThat(check.getString("status")).isEqualTo("unhealthy");
        assertThat(check.getString("cause")).contains("no clamd in service");
    }

    @Test
    @Order(3)
    void whenClamdAppearsHeldMailIsRescannedAndDelivered() throws Exception {
        try (AutoCloseable clamd = LATECOMER.start()) {
            String delivered = clients.awaitInboxMessage(recipient, 1);
            assertThat(delivered).contains("Subject: urgent")
                .containsPattern("X-Bulwark-Virus: clean \\(ClamAV [^)]* at 127\\.0\\.0\\.1:" + latecomerClamdPort + "\\)")
                .doesNotContain("not scanned");
            assertThat(clients.repositoryKeys(SCAN_FAILED)).isEmpty();
            String health = clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().extract().jsonPath().getString("status");
            assertThat(health).isEqualTo("healthy");
        }
    }
}
