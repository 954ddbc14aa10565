package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.StoreLevelScanningOff;

/**
 * The on-demand mailbox scan rescans everything with today's signatures, but leaves where they are the messages
 * whose scan stamp records a decision to let a finding through: an admin's release from the quarantine (from a
 * mailbox, and from the pipeline) and a runtime policy's deliver-tagged; it reports them as skipped, and still
 * takes out infected mail beside them. Store-level scanning on arrival is left out of listeners.xml here: what is
 * APPENDed stays in the mailbox until the on-demand scan judges it, as mail that was there before store-level
 * scanning was turned on, with no arrival scan racing the task.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class OnDemandScanOfDecisionsTest {
    private static final String SENDER = "mallory@outside.test";

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(StoreLevelScanningOff::apply);

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
        // The first webadmin call of a JVM is slow (REST Assured starts up): not inside a test's 30-second wait.
        clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200);
    }

    private static String eicar(String to, String subject) {
        return TestSamples.messageWithAttachment(SENDER, to, subject, "invoice.txt", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void releasedAndPolicyDeliveredMessagesAreSkippedAndReportedAFreshEicarIsStillTakenOut() throws Exception {
        String alice = james.addUser("decided-alice");

        // An infected message the on-demand scan takes out of the mailbox, which the admin then releases back there.
        clients.append(alice, "INBOX", eicar(alice, "released from the mailbox"));
        JsonPath first = scan(alice);
        assertThat(first.getInt("additionalInformation.found")).isEqualTo(1);
        release(clients.awaitQuarantined("released from the mailbox"));
        assertThat(clients.awaitInboxMessage(alice, 1)).contains("Subject: released from the mailbox")
            .containsPattern("X-Bulwark-Stamp: v2 released \\S+");

        // Infected mail the pipeline quarantined, released by the admin past the scanners.
        clients.send(SENDER, alice, eicar(alice, "released from the pipeline"));
        release(clients.awaitQuarantined("released from the pipeline"));
        clients.awaitInboxMessage(alice, 2);

        // A banned attachment the policy delivers tagged (the mailbox attachment check bans it too).
        clients.webAdmin().put("/bulwark/groups/installers/" + alice).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"banned\": \"deliver-tagged\"}}").put("/bulwark/policies/groups/installers").then().statusCode(200);
        clients.send("vendor@outside.test", alice, TestSamples.messageWithAttachment("vendor@outside.test", alice, "delivered by policy",
            "setup.exe", "not really a program".getBytes(StandardCharsets.US_ASCII)));
        clients.awaitInboxMessage(alice, 3);

        clients.append(alice, "INBOX", eicar(alice, "fresh eicar"));
        clients.awaitInboxMessage(alice, 4);

        JsonPath second = scan(alice);
        assertThat(second.getInt("additionalInformation.skipped")).isEqualTo(3);
        List<Map<String, Object>> skipped = second.getList("additionalInformation.skippedMessages");
        assertThat(skipped).extracting(s -> s.get("subject") + ": " + s.get("reason")).containsExactlyInAnyOrder(
            "released from the mailbox: released", "released from the pipeline: released", "delivered by policy: policy-delivered");
        assertThat(skipped).allSatisfy(s -> assertThat(s).containsEntry("owner", alice).containsEntry("mailbox", "INBOX"));
        assertThat(second.getInt("additionalInformation.scanned")).as("the skipped messages are not scanned").isEqualTo(1);
        assertThat(second.getInt("additionalInformation.found")).isEqualTo(1);
        List<Map<String, Object>> findings = second.getList("additionalInformation.findings");
        assertThat(findings).singleElement().satisfies(f -> assertThat(f).containsEntry("subject", "fresh eicar").containsEntry("verdict", "virus"));

        AWAIT.untilAsserted(() -> assertThat(clients.inboxCount(alice)).isEqualTo(3));
        assertThat(clients.awaitQuarantined("fresh eicar")).containsEntry("origin", Map.of("owner", alice, "mailbox", "INBOX"));
        assertThat(clients.quarantine("recipient=" + alice)).as("no second entry for a released message").hasSize(3);
    }

    /** Runs an on-demand scan of the user's mailboxes to its end and returns the task's details. */
    private JsonPath scan(String user) {
        String taskId = clients.webAdmin().post("/bulwark/mailboxes?action=scan&user=" + user).then().statusCode(201)
            .extract().jsonPath().getString("taskId");
        assertThat(clients.awaitTask(taskId)).isEqualTo("completed");
        return clients.webAdmin().get("/tasks/" + taskId).then().statusCode(200).extract().jsonPath();
    }

    private void release(Map<String, Object> entry) {
        clients.webAdminJson("{\"all\": true}").post("/bulwark/quarantine/" + entry.get("id") + "/release").then().statusCode(200);
    }
}
