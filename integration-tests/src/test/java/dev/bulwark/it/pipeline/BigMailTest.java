package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.BigMessages.base64;
import static dev.bulwark.it.fixtures.BigMessages.part;
import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.BigMessages;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Mail over clamd's stream limit (25M here) in the real James with the sample pipeline: a 20 MB
 * attachment is 28 MB once encoded, and is scanned part by part and delivered with the evidence; EICAR
 * in a small second part of such a mail is found and quarantined; a single part over the limit is held
 * as unscannable, the postmaster is told, and an admin can release it only after a rescan or unscanned
 * with a reason that is recorded. The mails are written to SMTP as they are generated, never held whole
 * in the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class BigMailTest {
    private static final String SENDER = "big@outside.test";
    private static final int ATTACHMENT = 20 * 1024 * 1024;
    private static final long SCAN_LIMIT = 25L * 1024 * 1024;
    private static final Duration BIG = Duration.ofMinutes(2);

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension().withPostmaster();

    private final BulwarkJames james;
    private final MailClients clients;

    BigMailTest(BulwarkJames james, MailClients clients) {
        this.james = james;
        this.clients = clients;
    }

    @Test
    void aTwentyMegabyteAttachmentIsScannedByPartsAndDelivered() throws Exception {
        String recipient = james.addUser("big-clean");
        long size = send(recipient, "big clean", out -> {
            part(out, "text/plain", null, "7bit");
            out.write("The quarterly figures, attached.\r\n");
            part(out, "application/octet-stream", "figures.bin", "base64");
            base64(out, new Random(20), ATTACHMENT);
        });
        assertThat(size).as("the mail is over clamd's limit, its attachment is not").isGreaterThan(SCAN_LIMIT);

        String headers = AWAIT.atMost(BIG).until(() -> clients.inboxCount(recipient) == 1 ? clients.awaitInboxHeaders(recipient, 1) : null,
            java.util.Objects::nonNull);
        assertThat(headers).contains("Subject: big clean")
            .containsPattern("X-Bulwark-Virus: clean \\(ClamAV [^)]* at [^)]*, 3 parts scanned one by one\\)");
        // Events are stored in the background: the delivery may come first.
        JsonPath verdict = AWAIT.until(() -> clients.webAdmin().get("/bulwark/events?kind=verdict.clean&recipient=" + recipient).then().statusCode(200)
            .extract().jsonPath(), events -> !events.getList("$").isEmpty());
        assertThat(verdict.getString("[0].details.scanMode")).isEqualTo("parts");
        assertThat(verdict.getString("[0].details.scannedParts")).isEqualTo("3");
        assertThat(clients.quarantine("recipient=" + recipient)).isEmpty();
    }

    @Test
    void eicarInASmallSecondPartOfABigMailIsQuarantined() throws Exception {
        String recipient = james.addUser("big-virus");
        send(recipient, "big virus", out -> {
            part(out, "application/octet-stream", "figures.bin", "base64");
            base64(out, new Random(21), ATTACHMENT);
            part(out, "application/octet-stream", "invoice.com", "base64");
            out.write(Base64.getMimeEncoder().encodeToString(TestSamples.EICAR.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + "\r\n");
        });

        Map<String, Object> entry = AWAIT.atMost(BIG).until(() -> clients.quarantine("recipient=" + recipient), entries -> !entries.isEmpty()).get(0);
        assertThat(entry).containsEntry("reason", "virus").containsEntry("subject", "big virus");
        assertThat((List<String>) entry.get("virusNames")).singleElement().asString().startsWith("Bulwark-Test.EICAR");
        assertThat((Map<String, String>) entry.get("verdict")).containsEntry("bulwark.virus.scanMode", "parts");
        assertThat(clients.inboxCount(recipient)).isZero();
    }

    @Test
    void aSinglePartOverTheLimitIsHeldAndReleasedOnlyUnscannedWithAReason() throws Exception {
        String recipient = james.addUser("big-held");
        send(recipient, "big held", out -> {
            part(out, "text/plain", "log.txt", "7bit");
            // 26 MB of text in 7bit: its decoded size is over the limit, whatever the encoding.
            BigMessages.text(out, SCAN_LIMIT + 1024 * 1024);
        });

        Map<String, Object> held = AWAIT.atMost(BIG).until(() -> clients.held("unscannable"), entries -> entries.stream()
            .anyMatch(entry -> "big held".equals(entry.get("subject")))).stream().filter(entry -> "big held".equals(entry.get("subject")))
            .findFirst().orElseThrow();
        String id = (String) held.get("id");
        assertThat((Map<String, String>) held.get("verdict")).containsEntry("bulwark.virus.status", "UNSCANNABLE")
            .hasEntrySatisfying("bulwark.virus.reason", reason -> assertThat(reason)
                .contains("part 1 (text/plain \"log.txt\", ").contains("is over clamd's stream limit of " + SCAN_LIMIT));
        assertThat(clients.inboxCount(recipient)).isZero();
        assertThat(clients.awaitPostmasterMail("[Bulwark] unscannable: mail from " + SENDER + " held"))
            .contains("Release it unscanned").contains(id);
        clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200)
            .body("unscannable", org.hamcrest.Matchers.greaterThanOrEqualTo(1));

        // A rescan still cannot judge it: no release without the admin saying why.
        clients.webAdminJson("{\"all\": true}").post("/bulwark/quarantine/" + id + "/release").then().statusCode(409)
            .body("message", containsString("still cannot be scanned")).body("message", containsString("\"unscanned\": true"));
        clients.webAdminJson("{\"all\": true, \"unscanned\": true}").post("/bulwark/quarantine/" + id + "/release").then().statusCode(400)
            .body("message", containsString("needs a \"reason\""));
        clients.webAdminJson("{\"all\": true, \"reason\": \"expected\"}").post("/bulwark/quarantine/" + id + "/release").then().statusCode(400);
        assertThat(clients.inboxCount(recipient)).isZero();

        clients.webAdminJson("{\"all\": true, \"unscanned\": true, \"reason\": \"the nightly log export, expected\"}")
            .post("/bulwark/quarantine/" + id + "/release").then().statusCode(200)
            .body("releases[0].unscannedReason", equalTo("the nightly log export, expected"))
            .body("releases[0].recipients", org.hamcrest.Matchers.contains(recipient));

        String headers = AWAIT.atMost(BIG).until(() -> clients.inboxCount(recipient) == 1 ? clients.awaitInboxHeaders(recipient, 1) : null,
            java.util.Objects::nonNull);
        assertThat(headers).contains("Subject: big held")
            .contains("X-Bulwark-Virus: not scanned: released unscanned by " + BulwarkJames.ADMIN_SUBJECT + ": the nightly log export, expected");
        clients.webAdmin().get("/bulwark/events?kind=quarantine.released&recipient=" + recipient).then().statusCode(200)
            .body("[0].details.unscanned", equalTo("true"))
            .body("[0].details.unscannedReason", equalTo("the nightly log export, expected"))
            .body("[0].details.reason", equalTo("unscannable"));
        assertThat(clients.held("unscannable")).noneMatch(entry -> id.equals(entry.get("id")));
    }

    private long send(String recipient, String subject, BigMessages.Body body) throws IOException {
        BigMessages.Reply reply = BigMessages.send(james.smtpPort(), SENDER, recipient, subject, body);
        assertThat(reply.accepted()).as("accepted: " + reply.text()).isTrue();
        return reply.size();
    }
}
