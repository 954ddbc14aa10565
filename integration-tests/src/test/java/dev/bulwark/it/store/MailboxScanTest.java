package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Store-level scanning in a real James with real clamd: mail that reaches a mailbox past the SMTP pipeline
 * (IMAP APPEND, LMTP; JMAP in JmapMailboxScanTest) is scanned through James's mailbox events (the listener of
 * james-conf/listeners.xml); infected mail is taken out into the quarantine with its owner and mailbox, and a
 * release puts it back there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class MailboxScanTest {
    private static final String SENDER = "mallory@outside.test";
    private static final Pattern STAMP = Pattern.compile("X-Bulwark-Stamp: (v1 \\S+)");
    private static final Pattern STAMPED = Pattern.compile("(?m)^bulwark_mailbox_stamped(?:_total|_count)?(?:\\{[^}]*\\})? ([0-9.Ee+-]+)$");

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf.write("lmtpserver.xml", """
        <?xml version="1.0"?>
        <lmtpservers>
            <lmtpserver enabled="true">
                <jmxName>lmtpserver</jmxName>
                <bind>127.0.0.1:0</bind>
                <connectionBacklog>200</connectionBacklog>
                <connectiontimeout>1200</connectiontimeout>
                <connectionLimit>0</connectionLimit>
                <connectionLimitPerIP>0</connectionLimitPerIP>
                <maxmessagesize>0</maxmessagesize>
                <handlerchain>
                    <handler class="org.apache.james.lmtpserver.CoreCmdHandlerLoader"/>
                </handlerchain>
            </lmtpserver>
        </lmtpservers>
        """));

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
        // The first webadmin call of a JVM is slow (REST Assured starts up): not inside a test's 30-second wait.
        clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200);
    }

    /** Messages store-level scanning left alone for their stamp: {@code bulwark_mailbox_stamped} in webadmin's /metrics. */
    private long stamped() {
        Matcher count = STAMPED.matcher(clients.webAdmin().get("/metrics").then().statusCode(200).extract().asString());
        return count.find() ? (long) Double.parseDouble(count.group(1)) : 0;
    }

    private static String eicar(String to, String subject) {
        return TestSamples.messageWithAttachment(SENDER, to, subject, "invoice.txt", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void eicarAppendedOverImapIsTakenOutKeptWithOwnerAndMailboxAndReleasedBackThere() throws Exception {
        String alice = james.addUser("append-alice");
        clients.append(alice, "INBOX", eicar(alice, "appended eicar"));

        Map<String, Object> entry = clients.awaitQuarantined("appended eicar");
        assertThat(entry).containsEntry("reason", "virus").containsEntry("origin", Map.of("owner", alice, "mailbox", "INBOX", "actor", alice));
        assertThat((List<String>) entry.get("recipients")).containsExactly(alice);
        assertThat((List<String>) entry.get("virusNames")).singleElement().asString().startsWith("Bulwark-Test.EICAR");
        assertThat(entry.get("sender")).as("an appended message has no envelope sender to notify").isNull();
        AWAIT.untilAsserted(() -> assertThat(clients.inboxCount(alice)).isZero());
        String id = (String) entry.get("id");
        // The event is recorded after the message is taken out, and stored in the background.
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=quarantine.stored&recipient=" + alice).then().statusCode(200)
            .body("[0].details.quarantineId", equalTo(id))
            .body("[0].details.origin", equalTo("mailbox"))
            .body("[0].details.mailbox", equalTo("INBOX")));
        // The notices go as for pipeline quarantine: the postmaster is told; the sender is not (there is none). The
        // sender's notice is decided after the admin's: awaited on its own.
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=notice.sent&recipient=" + alice).then()
            .body("details.kind", org.hamcrest.Matchers.hasItem("admin")));
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&recipient=" + alice).then()
            .body("details.reason", org.hamcrest.Matchers.hasItem("null sender")));

        clients.webAdminJson("{\"all\": true}").post("/bulwark/quarantine/" + id + "/release").then().statusCode(200)
            .body("releases[0].recipients", equalTo(List.of(alice)));

        String restored = clients.awaitInboxMessage(alice, 1);
        assertThat(restored).contains("Subject: appended eicar").contains("invoice.txt").containsPattern("X-Bulwark-Stamp: v2 released \\S+");
        // An admin's release stands: the restored message carries the stamp of that decision and is not taken out again.
        AWAIT.during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> clients.inboxCount(alice) == 1);
        assertThat(clients.quarantine("recipient=" + alice)).hasSize(1);
        clients.webAdmin().get("/bulwark/events?kind=quarantine.released&recipient=" + alice).then()
            .body("[0].details.origin", equalTo("mailbox")).body("[0].details.mailbox", equalTo("INBOX"));
    }

    @Test
    void eicarDeliveredOverLmtpPastThePipelineIsTakenOutToo() throws Exception {
        String bob = james.addUser("lmtp-bob");
        clients.lmtp(SENDER, bob, eicar(bob, "lmtp eicar"));

        Map<String, Object> entry = clients.awaitQuarantined("lmtp eicar");
        assertThat(entry).containsEntry("reason", "virus").containsEntry("origin", Map.of("owner", bob, "mailbox", "INBOX", "actor", bob));
        AWAIT.untilAsserted(() -> assertThat(clients.inboxCount(bob)).isZero());
    }

    @Test
    void aCopiedCleanStampAndVerdictHeaderDoNotSpareAnAppendedMessageTheScan() throws Exception {
        String carol = james.addUser("forger-carol");
        // The counter is this James's, which the class's other tests may have raised already: this delivery must raise it.
        long stampedBefore = stamped();
        clients.send(SENDER, carol, TestSamples.plainMessage(SENDER, carol, "harmless", "hello"));
        String delivered = clients.awaitInboxMessage(carol, 1);
        Matcher stamp = STAMP.matcher(delivered);
        assertThat(stamp.find()).as("the pipeline stamps clean mail it delivers:\n" + delivered).isTrue();
        // ...and store-level scanning takes the stamp's word for it: no second scan.
        AWAIT.untilAsserted(() -> assertThat(stamped()).isGreaterThan(stampedBefore));

        String forged = "X-Bulwark-Stamp: " + stamp.group(1) + "\r\nX-Bulwark-Virus: clean (ClamAV 1.4.6 at 127.0.0.1:3310)\r\n"
            + eicar(carol, "forged stamp");
        clients.append(carol, "Forged", forged);

        Map<String, Object> entry = clients.awaitQuarantined("forged stamp");
        assertThat(entry).containsEntry("origin", Map.of("owner", carol, "mailbox", "Forged", "actor", carol));
        AWAIT.untilAsserted(() -> assertThat(clients.messageCount(carol, "Forged")).isZero());
        assertThat(clients.inboxCount(carol)).as("the stamped original stays").isEqualTo(1);
    }

    @Test
    void aCleanAppendStays() throws Exception {
        String dave = james.addUser("clean-dave");
        clients.append(dave, "INBOX", TestSamples.plainMessage(SENDER, dave, "clean append", "nothing to see"));

        AWAIT.during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> clients.inboxCount(dave) == 1);
        assertThat(clients.quarantine("recipient=" + dave)).isEmpty();
    }

    @Test
    void anOnDemandScanOfOneUserIsATaskThatSaysWhatItScanned() throws Exception {
        String erin = james.addUser("scan-erin");
        clients.append(erin, "INBOX", TestSamples.plainMessage(SENDER, erin, "to scan", "one"));
        clients.append(erin, "Archive", TestSamples.plainMessage(SENDER, erin, "to scan too", "two"));

        String taskId = clients.webAdmin().post("/bulwark/mailboxes?action=scan&user=" + erin).then().statusCode(201)
            .extract().jsonPath().getString("taskId");
        assertThat(clients.awaitTask(taskId)).isEqualTo("completed");
        JsonPath details = clients.webAdmin().get("/tasks/" + taskId).then().statusCode(200)
            .body("type", equalTo("bulwark-mailbox-scan")).extract().jsonPath();
        assertThat(details.getString("additionalInformation.scope")).isEqualTo("user " + erin);
        assertThat(details.getInt("additionalInformation.scanned")).isEqualTo(2);
        assertThat(details.getInt("additionalInformation.found")).isZero();
        assertThat(details.getList("additionalInformation.findings")).isEmpty();

        clients.webAdmin().post("/bulwark/mailboxes?action=scan&user=nobody@bulwark.test").then().statusCode(404)
            .body("message", equalTo("no user nobody@bulwark.test"));
        clients.webAdmin().post("/bulwark/mailboxes?action=scan&user=" + erin + "&domain=bulwark.test").then().statusCode(400);
        clients.webAdmin().post("/bulwark/mailboxes?action=wipe").then().statusCode(400).body("type", equalTo("InvalidArgument"));
        clients.webAdmin().post("/bulwark/mailboxes?action=scan&colour=red").then().statusCode(400);
    }
}
