package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.BigMessages.base64;
import static dev.bulwark.it.fixtures.BigMessages.part;
import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

import dev.bulwark.it.fixtures.BigMessages;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Store-level scanning of messages over clamd's stream limit (25M here, as Bulwark's clamd.maxStreamSize),
 * APPENDed over IMAP past the pipeline: scanned part by part as the pipeline scans big mail, so EICAR in a
 * small part beside a big clean one is found and the message taken out; a message whose single part is
 * itself over the limit is taken out too and held as unscannable, not left readable, and an admin's release
 * (unscanned, with a reason) puts it back into its mailbox.
 */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class BigMailboxMessageTest {
    private static final String SENDER = "big@outside.test";
    /** 20 MB: 27 MB once base64-encoded, so the message is over the limit and this part, decoded, is not. */
    private static final int ATTACHMENT = 20 * 1024 * 1024;
    private static final long SCAN_LIMIT = 25L * 1024 * 1024;
    private static final Duration BIG = Duration.ofMinutes(2);
    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void clients(BulwarkJames james) throws Exception {
        this.james = james;
        this.clients = new MailClients(james);
        james.addPostmaster();
        // The first webadmin call of a JVM is slow (REST Assured starts up): not inside a test's wait.
        clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200);
    }

    @Test
    void eicarBesideABigCleanAttachmentInAnAppendedMessageOverTheLimitIsFoundAndTakenOut() throws Exception {
        String alice = james.addUser("big-append-alice");
        String message = BigMessages.message(SENDER, alice, "big appended virus", out -> {
            part(out, "application/octet-stream", "figures.bin", "base64");
            base64(out, new Random(31), ATTACHMENT);
            // A .txt name: the attachment check has nothing against it, only clamd can find it.
            part(out, "application/octet-stream", "invoice.txt", "base64");
            out.write(Base64.getMimeEncoder().encodeToString(TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)) + "\r\n");
        });
        assertThat((long) message.length()).as("the message is over clamd's limit").isGreaterThan(SCAN_LIMIT);

        clients.append(alice, "INBOX", message);

        Map<String, Object> entry = AWAIT.atMost(BIG).until(() -> clients.quarantine("recipient=" + alice), entries -> !entries.isEmpty()).get(0);
        assertThat(entry).containsEntry("reason", "virus").containsEntry("subject", "big appended virus")
            .containsEntry("origin", Map.of("owner", alice, "mailbox", "INBOX", "actor", alice));
        assertThat((List<String>) entry.get("virusNames")).singleElement().asString().startsWith("Bulwark-Test.EICAR");
        assertThat((Map<String, String>) entry.get("verdict")).containsEntry("bulwark.virus.scanMode", "parts");
        AWAIT.atMost(BIG).untilAsserted(() -> assertThat(clients.inboxCount(alice)).isZero());
    }

    @Test
    void anAppendedMessageWithASinglePartOverTheLimitIsTakenOutHeldAsUnscannableAndReleasedBackUnscannedWithAReason() throws Exception {
        String bob = james.addUser("big-append-bob");
        String message = BigMessages.message(SENDER, bob, "big appended log", out -> {
            part(out, "text/plain", "log.txt", "7bit");
            // 26 MB of text in 7bit: its decoded size is over the limit, whatever the encoding.
            BigMessages.text(out, SCAN_LIMIT + 1024 * 1024);
        });

        clients.append(bob, "Archive", message);

        Map<String, Object> held = AWAIT.atMost(BIG).until(() -> clients.held("unscannable"), entries -> entries.stream()
            .anyMatch(entry -> "big appended log".equals(entry.get("subject")))).stream()
            .filter(entry -> "big appended log".equals(entry.get("subject"))).findFirst().orElseThrow();
        String id = (String) held.get("id");
        assertThat(held).containsEntry("origin", Map.of("owner", bob, "mailbox", "Archive", "actor", bob));
        assertThat((List<String>) held.get("recipients")).containsExactly(bob);
        assertThat((Map<String, String>) held.get("verdict")).containsEntry("bulwark.virus.status", "UNSCANNABLE")
            .containsEntry("bulwark.virus.scanMode", "parts")
            .hasEntrySatisfying("bulwark.virus.reason", reason -> assertThat(reason)
                .contains("part 1 (text/plain \"log.txt\", ").contains("is over clamd's stream limit of " + SCAN_LIMIT));
        AWAIT.atMost(BIG).untilAsserted(() -> assertThat(clients.messageCount(bob, "Archive")).isZero());
        // Recorded after the message is taken out, stored in the background.
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=quarantine.stored&recipient=" + bob).then().statusCode(200)
            .body("[0].details.quarantineId", equalTo(id))
            .body("[0].details.reason", equalTo("unscannable"))
            .body("[0].details.origin", equalTo("mailbox")));

        // A rescan still cannot judge it: no release without the admin saying why.
        clients.webAdminJson("{\"all\": true}").post("/bulwark/quarantine/" + id + "/release").then().statusCode(409)
            .body("message", containsString("still cannot be scanned"));
        assertThat(clients.messageCount(bob, "Archive")).isZero();

        clients.webAdminJson("{\"all\": true, \"unscanned\": true, \"reason\": \"the nightly log export, expected\"}")
            .post("/bulwark/quarantine/" + id + "/release").then().statusCode(200)
            .body("releases[0].unscannedReason", equalTo("the nightly log export, expected"))
            .body("releases[0].recipients", org.hamcrest.Matchers.contains(bob));

        // Back into the mailbox it was taken from, stamped with the admin's decision: not taken out again.
        AWAIT.atMost(BIG).until(() -> clients.messageCount(bob, "Archive") == 1);
        AWAIT.during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> clients.messageCount(bob, "Archive") == 1);
        assertThat(clients.inboxCount(bob)).as("not delivered through the pipeline into the INBOX").isZero();
        try (TestIMAPClient imap = new TestIMAPClient()) {
            assertThat(imap.connect("127.0.0.1", james.imapPort()).login(bob, BulwarkJames.PASSWORD).select("Archive").readFirstMessageHeaders())
                .contains("Subject: big appended log").contains("X-Bulwark-Stamp: v2 released ")
                .contains("X-Bulwark-Virus: not scanned: released unscanned by " + BulwarkJames.ADMIN_SUBJECT + ": the nightly log export, expected");
        }
        assertThat(clients.quarantine("recipient=" + bob)).as("no second entry").hasSize(1);
        clients.webAdmin().get("/bulwark/events?kind=quarantine.released&recipient=" + bob).then().statusCode(200)
            .body("[0].details.unscanned", equalTo("true"))
            .body("[0].details.unscannedReason", equalTo("the nightly log export, expected"))
            .body("[0].details.origin", equalTo("mailbox"))
            .body("[0].details.mailbox", equalTo("Archive"));
        assertThat(clients.held("unscannable")).noneMatch(entry -> id.equals(entry.get("id")));
    }
}
