package dev.bulwark.it;

import static dev.bulwark.it.MailClients.AWAIT;
import static dev.bulwark.it.MailClients.SCAN_FAILED;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * Fail-closed, then recovery: James starts while its clamd is not there yet. Accepted mail is held in
 * the scan-failed repository, never delivered unscanned, and /healthcheck says why. A message appended to a
 * mailbox meanwhile stays where it is, flagged for a later pass. When a real clamd starts on that address,
 * the pool puts it back in service: the held mail is rescanned and delivered, and the appended message is
 * scanned and, being EICAR, taken out into the quarantine.
 */
@ExtendWith(ScannerDaemonsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScanFailureTest {
    private final int latecomerClamdPort = Ports.unused();
    private BulwarkJames james;
    private MailClients clients;
    private String recipient;
    private String appender;

    @BeforeAll
    void startWithClamdDown(ScannerDaemons daemons) throws Exception {
        james = BulwarkJames.start(WorkDirs.create(), daemons, BulwarkJames.Ports.ANY, conf -> conf
            .setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:" + latecomerClamdPort)
            .setProperty("bulwark.properties", "clamd.probeInterval", "200ms")
            .setProperty("bulwark.properties", "rescan.interval", "500ms")
            .setProperty("bulwark.properties", "startup.requireScanners", "false"));
        clients = new MailClients(james);
        recipient = james.addUser("held");
        appender = james.addUser("pending");
    }

    @AfterAll
    void stop() {
        james.close();
        WorkDirs.delete(james.workDir());
    }

    @Test
    @Order(1)
    void mailIsHeldNotDeliveredWhileNoClamdAnswers() throws Exception {
        clients.send("sender@example.com", recipient, TestSamples.plainMessage("sender@example.com", recipient, "urgent", "hello"));

        AWAIT.until(() -> !clients.repositoryKeys(SCAN_FAILED).isEmpty());
        String held = clients.repositoryMessage(SCAN_FAILED, clients.repositoryKeys(SCAN_FAILED).get(0));
        assertThat(held).contains("Subject: urgent");
        assertThat(clients.inboxCount(recipient)).isZero();
    }

    @Test
    @Order(2)
    void aMessageAppendedWhileNoClamdAnswersStaysFlaggedForALaterPass() throws Exception {
        clients.append(appender, "INBOX", TestSamples.messageWithAttachment("mallory@outside.test", appender, "appended while blind",
            "x.txt", TestSamples.EICAR.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));

        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=mailbox.scan-failed&recipient=" + appender).then()
            .body("[0].details.mailbox", org.hamcrest.Matchers.equalTo("INBOX")));
        try (org.apache.james.utils.TestIMAPClient imap = new org.apache.james.utils.TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(appender, BulwarkJames.PASSWORD).select("INBOX");
            AWAIT.until(() -> imap.hasAMessageWithFlags("$BulwarkUnscanned"));
        }
        assertThat(clients.quarantine("recipient=" + appender)).isEmpty();
    }

    @Test
    @Order(3)
    void healthCheckIsUnhealthyAndSaysWhy() {
        var check = clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().extract().jsonPath();
        assertThat(check.getString("status")).isEqualTo("unhealthy");
        assertThat(check.getString("cause")).contains("no clamd in service");
    }

    @Test
    @Order(4)
    void whenClamdAppearsHeldMailIsRescannedAndDelivered() throws Exception {
        Path runDir = Files.createTempDirectory("bulwark-latecomer");
        try (AutoCloseable clamd = ScannerDaemonsExtension.startPrivateDaemons(runDir, latecomerClamdPort, Ports.unused())) {
            String delivered = clients.awaitInboxMessage(recipient, 1);
            assertThat(delivered).contains("Subject: urgent")
                .containsPattern("X-Bulwark-Virus: clean \\(ClamAV [^)]* at 127\\.0\\.0\\.1:" + latecomerClamdPort + "\\)")
                .doesNotContain("not scanned");
            assertThat(clients.repositoryKeys(SCAN_FAILED)).isEmpty();
            // The later pass: the appended message is judged now, and taken out.
            Map<String, Object> taken = clients.awaitQuarantined("appended while blind");
            assertThat(taken).containsEntry("origin", Map.of("owner", appender, "mailbox", "INBOX"));
            AWAIT.untilAsserted(() -> assertThat(clients.inboxCount(appender)).isZero());
            String health = clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().extract().jsonPath().getString("status");
            assertThat(health).isEqualTo("healthy");
        } finally {
            WorkDirs.delete(runDir);
        }
    }
}
