package dev.bulwark.it.faults;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

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
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.PrivateFiles;

/**
 * Fail-closed, then recovery: James starts while its clamd is not there yet. Accepted mail is held
 * (reason scan-failed in Bulwark's store: listed, inspected over webadmin, counted, the postmaster told),
 * never delivered unscanned, and /healthcheck says why; an admin's release rescans it first and is
 * refused while nothing can scan, unless the admin releases it unscanned with a reason, which is
 * recorded. When a real clamd starts on that address, the pool puts it back in service and the held
 * mail is rescanned and delivered.
 * A message appended to a mailbox meanwhile stays where it is, flagged for a later pass, and once clamd
 * answers it is scanned and, being EICAR, taken out into the quarantine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SuppressWarnings("unchecked")
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
    private String appender;

    @BeforeAll
    void startWithClamdDown(BulwarkJames james) throws Exception {
        this.james = james;
        clients = new MailClients(james);
        recipient = james.addUser("held");
        james.addPostmaster();
        appender = james.addUser("pending");
    }

    @Test
    @Order(1)
    void mailIsHeldNotDeliveredWhileNoClamdAnswers() throws Exception {
        clients.send("sender@example.com", recipient, TestSamples.plainMessage("sender@example.com", recipient, "urgent", "hello"));

        Map<String, Object> held = AWAIT.until(() -> clients.held("scan-failed"), entries -> !entries.isEmpty()).get(0);
        assertThat(held).containsEntry("subject", "urgent").containsEntry("reason", "scan-failed");
        assertThat((Map<String, String>) held.get("verdict")).containsEntry("bulwark.virus.status", "ERROR")
            .hasEntrySatisfying("bulwark.virus.reason", reason -> assertThat(reason).contains("no clamd in service"));
        String eml = clients.webAdmin().get("/bulwark/quarantine/" + held.get("id") + "/eml").then().statusCode(200).extract().asString();
        assertThat(eml).contains("Subject: urgent");
        assertThat(clients.inboxCount(recipient)).isZero();
        // Held mail is unscanned personal mail: kept in the quarantine's store, owner-only on disk (PrivateFileMailRepository).
        assertThat(PrivateFiles.assertOwnerOnlyFolder(james.workDir().resolve("var/mail/quarantine"))).isNotEmpty();
        assertThat(clients.awaitPostmasterMail("[Bulwark] scan-failed: mail from sender@example.com held"))
            .contains("no virus scanner could judge").contains((String) held.get("id"));
        clients.webAdmin().get("/bulwark/quarantine/counts").then().body("'scan-failed'", equalTo(1));
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/stats?window=1h").then().statusCode(200)
            .body("totals.'held.stored'", equalTo(1)));
        // Its parts and headers, as for quarantined mail.
        clients.webAdmin().get("/bulwark/quarantine/" + held.get("id") + "/structure").then().statusCode(200);
    }

    @Test
    @Order(2)
    void heldMailIsReleasedOnlyAfterARescanOrUnscannedWithARecordedReason() throws Exception {
        String urgent = james.addUser("held-urgent");
        clients.send("boss@example.com", urgent, TestSamples.plainMessage("boss@example.com", urgent, "needed now", "the contract"));
        String id = (String) AWAIT.until(() -> clients.held("scan-failed").stream().filter(entry -> "needed now".equals(entry.get("subject")))
            .findFirst(), java.util.Optional::isPresent).orElseThrow().get("id");

        clients.webAdminJson("{\"all\": true}").post("/bulwark/quarantine/" + id + "/release").then().statusCode(409)
            .body("message", containsString("still cannot be scanned")).body("message", containsString("no clamd in service"));
        clients.webAdminJson("{\"all\": true, \"unscanned\": true, \"reason\": \"\"}").post("/bulwark/quarantine/" + id + "/release").then().statusCode(400);
        clients.webAdminJson("{\"all\": true, \"unscanned\": \"yes\"}").post("/bulwark/quarantine/" + id + "/release").then().statusCode(400);
        assertThat(clients.inboxCount(urgent)).isZero();

        clients.webAdminJson("{\"all\": true, \"unscanned\": true, \"reason\": \"the boss's contract, checked by phone\"}")
            .post("/bulwark/quarantine/" + id + "/release").then().statusCode(200)
            .body("releases[0].unscannedReason", equalTo("the boss's contract, checked by phone"));

        String delivered = clients.awaitInboxMessage(urgent, 1);
        assertThat(delivered).contains("Subject: needed now")
            .contains("X-Bulwark-Virus: not scanned: released unscanned by " + BulwarkJames.ADMIN_SUBJECT + ": the boss's contract, checked by phone");
        assertThat(delivered.split("X-Bulwark-Virus:", -1)).as("one X-Bulwark-Virus header in %s", delivered).hasSize(2);
        clients.webAdmin().get("/bulwark/quarantine/" + id).then().statusCode(200)
            .body("releases[0].releasedBy", equalTo(BulwarkJames.ADMIN_SUBJECT));
        assertThat(clients.held("scan-failed")).extracting(entry -> entry.get("subject")).containsExactly("urgent");
    }

    @Test
    @Order(3)
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
    @Order(4)
    void healthCheckIsUnhealthyAndSaysWhy() {
        var check = clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().extract().jsonPath();
        assertThat(check.getString("status")).isEqualTo("unhealthy");
        assertThat(check.getString("cause")).contains("no clamd in service");
    }

    @Test
    @Order(5)
    void whenClamdAppearsHeldMailIsRescannedAndDelivered() throws Exception {
        try (AutoCloseable clamd = LATECOMER.start()) {
            String delivered = clients.awaitInboxMessage(recipient, 1);
            assertThat(delivered).contains("Subject: urgent")
                .containsPattern("X-Bulwark-Virus: clean \\(ClamAV [^)]* at 127\\.0\\.0\\.1:" + latecomerClamdPort + "\\)")
                .doesNotContain("not scanned");
            AWAIT.until(clients::nothingHeldForARescan);
            clients.webAdmin().get("/bulwark/events?kind=held.returned&recipient=" + recipient).then().statusCode(200)
                .body("[0].details.status", equalTo("CLEAN")).body("[0].details.processor", equalTo("root"));
            // The later pass: the appended message is judged now, and taken out.
            Map<String, Object> taken = clients.awaitQuarantined("appended while blind");
            assertThat(taken).containsEntry("origin", Map.of("owner", appender, "mailbox", "INBOX", "actor", appender));
            AWAIT.untilAsserted(() -> assertThat(clients.inboxCount(appender)).isZero());
            String health = clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().extract().jsonPath().getString("status");
            assertThat(health).isEqualTo("healthy");
        }
    }
}
