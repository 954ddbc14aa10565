package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The retroactive rescan of delivered mail, with {@code rescan.deliveredAction=quarantine}, after a signature update (sigtool and
 * RELOAD, as {@link RetroactiveRescanTest} models it) that detects three delivered messages: it takes out the one nobody decided
 * about, and leaves where they are, unscanned and reported as skipped, the one an admin released from the quarantine and the one
 * a runtime policy delivered tagged, as the on-demand mailbox scan does ({@link OnDemandScanOfDecisionsTest}).
 */
@ExtendWith(JamesStarterExtension.class)
@SuppressWarnings("unchecked")
class RetroactiveRescanOfDecisionsTest {
    private static final String SENDER = RetroactiveRescanTest.SENDER;
    /**
     * Suspicious before the update (the heuristic false-positive signature, which the update drops), infected after it (the new
     * signature): what an admin or a policy let through as suspicious is what the new signatures detect.
     */
    private static final String BOTH_MARKERS = "see " + RetroactiveRescanTest.FALSE_POSITIVE + " and " + RetroactiveRescanTest.NEWLY_DETECTED;

    @RegisterExtension
    static final PrivateScanners CLAMD = PrivateScanners.onFreePorts().withSignatures(RetroactiveRescanTest::signaturesWithAFalsePositive);

    @Test
    void releasedAndPolicyDeliveredMailStaysAndIsReportedAsSkippedWhileUndecidedMailNowDetectedIsTakenOut(JamesStarter jameses)
            throws Exception {
        int clamdPort = CLAMD.clamdPort();
        try (BulwarkJames james = jameses.start(conf -> conf
                .setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:" + clamdPort)
                .setProperty("bulwark.properties", "watch.interval", "1s")
                // started by hand below, once the update is seen
                .setProperty("bulwark.properties", "rescan.onSignatureUpdate", "false")
                .setProperty("bulwark.properties", "rescan.deliveredAction", "quarantine"))) {
            MailClients clients = new MailClients(james);
            String alice = james.addUser("alice");
            String carol = james.addUser("carol");
            String bob = james.addUser("bob");

            // Quarantined as suspicious, released by the admin (a false positive overridden): delivered with a released stamp.
            clients.send(SENDER, alice, TestSamples.plainMessage(SENDER, alice, "released after review", BOTH_MARKERS));
            Map<String, Object> reviewed = clients.awaitQuarantined("released after review");
            assertThat(reviewed).containsEntry("reason", "suspicious");
            clients.webAdminJson("{\"all\": true}").post("/bulwark/quarantine/" + reviewed.get("id") + "/release").then().statusCode(200);
            assertThat(clients.awaitInboxMessage(alice, 1)).containsPattern("X-Bulwark-Stamp: v2 released \\S+");

            // Carol's policy delivers suspicious mail tagged: delivered with a policy-delivered stamp.
            clients.webAdmin().put("/bulwark/groups/tolerant/" + carol).then().statusCode(204);
            clients.webAdminJson("{\"actions\": {\"suspicious\": \"deliver-tagged\"}}").put("/bulwark/policies/groups/tolerant").then()
                .statusCode(200);
            clients.send(SENDER, carol, TestSamples.plainMessage(SENDER, carol, "delivered by policy", BOTH_MARKERS));
            assertThat(clients.awaitInboxMessage(carol, 1)).containsPattern("X-Bulwark-Stamp: v2 policy-delivered \\S+");

            // Clean before the update, nobody decided anything about it.
            clients.send(SENDER, bob, TestSamples.plainMessage(SENDER, bob, "harmless until today", "payload " + RetroactiveRescanTest.NEWLY_DETECTED));
            assertThat(clients.awaitInboxMessage(bob, 1)).contains(RetroactiveRescanTest.NEWLY_DETECTED);
            RetroactiveRescanTest.awaitEngine(clients, "ClamAV 1.4.6");

            RetroactiveRescanTest.updateSignatures(jameses.workDir(), CLAMD.databaseFolder(), clamdPort);
            AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/scanners").then().statusCode(200)
                .body("integrity.find { it.daemon == 'clamd' }.engine",
                    org.hamcrest.Matchers.endsWith("/" + RetroactiveRescanTest.DATABASE_VERSION)));

            String rescanId = clients.webAdmin().post("/bulwark/quarantine?action=rescan").then().statusCode(201)
                .extract().jsonPath().getString("taskId");
            assertThat(clients.awaitTask(rescanId)).isEqualTo("completed");

            assertThat(clients.inboxCount(alice)).as("the released message stays in alice's INBOX").isEqualTo(1);
            assertThat(clients.inboxCount(carol)).as("the message the policy delivered stays in carol's INBOX").isEqualTo(1);
            assertThat(clients.inboxCount(bob)).as("the undecided message is taken out of bob's INBOX").isZero();
            Map<String, Object> taken = clients.awaitQuarantined("harmless until today");
            assertThat(taken).containsEntry("reason", "virus").containsEntry("origin", Map.of("owner", bob, "mailbox", "INBOX"));
            assertThat(clients.quarantine("recipient=" + alice)).as("no second entry for the released message").hasSize(1);
            assertThat(clients.quarantine("recipient=" + carol)).as("no entry for the message the policy delivered").isEmpty();

            JsonPath rescan = clients.webAdmin().get("/tasks/" + rescanId).then().statusCode(200).extract().jsonPath();
            assertThat(rescan.getInt("additionalInformation.deliveredScanned")).as("the skipped messages are not scanned").isEqualTo(1);
            assertThat(rescan.getInt("additionalInformation.deliveredDetected")).isEqualTo(1);
            assertThat(rescan.getInt("additionalInformation.deliveredQuarantined")).isEqualTo(1);
            assertThat(rescan.getInt("additionalInformation.deliveredSkipped")).isEqualTo(2);
            List<Map<String, Object>> skipped = rescan.getList("additionalInformation.deliveredSkippedMessages");
            assertThat(skipped).extracting(s -> s.get("owner") + " " + s.get("mailbox") + " " + s.get("subject") + ": " + s.get("reason"))
                .containsExactlyInAnyOrder(alice + " INBOX released after review: released", carol + " INBOX delivered by policy: policy-delivered");

            JsonPath delivered = RetroactiveRescanTest.events(clients, "rescan.delivered");
            assertThat(delivered.getList("recipients", List.class)).containsExactly(List.of(bob));
            JsonPath completed = RetroactiveRescanTest.events(clients, "rescan.completed");
            assertThat(completed.getString("[0].details.deliveredSkipped")).isEqualTo("2");
        }
    }
}
