package dev.bulwark.it;

import static dev.bulwark.it.MailClients.AWAIT;
import static dev.bulwark.it.MailClients.SCAN_FAILED;
import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * Fail-closed: with no clamd answering, accepted mail is held in the scan-failed repository, never
 * delivered unscanned, and /healthcheck says why. James is allowed to start without its scanners here.
 */
@ExtendWith(ScannerDaemonsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScanFailureTest {
    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void startWithClamdDown(ScannerDaemons daemons) throws Exception {
        int closedPort = Ports.unused();
        String deadClamd = "127.0.0.1:" + closedPort;
        james = BulwarkJames.start(WorkDirs.create(), daemons, BulwarkJames.Ports.ANY, conf -> conf
            .setProperty("bulwark.properties", "clamd.endpoints", deadClamd)
            .setProperty("bulwark.properties", "startup.requireScanners", "false"));
        clients = new MailClients(james);
    }

    @AfterAll
    void stop() {
        james.close();
        WorkDirs.delete(james.workDir());
    }

    @Test
    void mailIsHeldNotDeliveredWhenClamdIsDown() throws Exception {
        String recipient = james.addUser("held");
        clients.send("sender@example.com", recipient, TestSamples.plainMessage("sender@example.com", recipient, "urgent", "hello"));

        AWAIT.until(() -> !clients.repositoryKeys(SCAN_FAILED).isEmpty());
        String held = clients.repositoryMessage(SCAN_FAILED, clients.repositoryKeys(SCAN_FAILED).get(0));
        assertThat(held).contains("Subject: urgent").contains("X-Bulwark-Virus: not scanned: no clamd in service");
        assertThat(clients.inboxCount(recipient)).isZero();
    }

    @Test
    void healthCheckIsUnhealthyAndSaysWhy() {
        var check = clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().extract().jsonPath();
        assertThat(check.getString("status")).isEqualTo("unhealthy");
        assertThat(check.getString("cause")).contains("no clamd in service");
    }
}
