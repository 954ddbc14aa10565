package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/** The thin slice: virus, spam and clean mail through a real James with Bulwark, real clamd and spamd. */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MailFlowTest {
    private static final String SENDER = "sender@example.com";
    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
    }

    @Test
    @SuppressWarnings("unchecked")
    void eicarAttachmentIsQuarantinedAndNeverDelivered() throws Exception {
        String recipient = james.addUser("virus-target");
        String clean = TestSamples.plainMessage(SENDER, recipient, "afterwards", "clean follow-up");
        clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, "invoice", "invoice.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));

        java.util.Map<String, Object> entry = clients.awaitQuarantined("invoice");
        assertThat(entry.get("reason")).isEqualTo("virus");
        assertThat((List<String>) entry.get("virusNames")).singleElement().asString().startsWith("Bulwark-Test.EICAR");
        assertThat((java.util.Map<String, String>) entry.get("verdict")).containsEntry("bulwark.virus.status", "INFECTED")
            .hasEntrySatisfying("bulwark.virus.engine", engine -> assertThat(engine).matches("ClamAV \\d.*"));

        // A clean mail sent after it arrives alone: the infected one was not delivered.
        clients.send(SENDER, recipient, clean);
        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered).contains("Subject: afterwards");
        assertThat(clients.inboxCount(recipient)).isEqualTo(1);
    }

    @Test
    void eicarInTheBodyOrInAnAttachedMessageIsQuarantinedToo() throws Exception {
        String recipient = james.addUser("raw-target");
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "raw eicar", TestSamples.EICAR));
        String attached = TestSamples.plainMessage(SENDER, recipient, "inner", TestSamples.EICAR);
        clients.send(SENDER, recipient, "From: " + SENDER + "\r\nTo: " + recipient + "\r\nSubject: forwarded eicar\r\n"
            + "Message-ID: <fwd." + System.nanoTime() + "@outside.test>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n--fwd\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--fwd\r\nContent-Type: message/rfc822\r\n\r\n" + attached + "\r\n--fwd--\r\n");

        assertThat(clients.awaitQuarantined("raw eicar").get("reason")).isEqualTo("virus");
        assertThat(clients.awaitQuarantined("forwarded eicar").get("reason")).isEqualTo("virus");
        assertThat(clients.inboxCount(recipient)).isZero();
    }

    @Test
    void gtubeIsDeliveredFlaggedAsSpam() throws Exception {
        String recipient = james.addUser("spam-target");
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "cheap offer", TestSamples.GTUBE));

        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered)
            .contains("X-Spam-Flag: YES")
            .containsPattern("X-Spam-Status: Yes, score=\\d{3,4}\\.\\d required=5\\.0 tests=\\S*GTUBE")
            .contains("X-Bulwark-Virus: clean");
    }

    @Test
    void cleanMailIsDeliveredSayingItWasScannedAndByWhat() throws Exception {
        String recipient = james.addUser("clean-target");
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "lunch", "Noon at the usual place?"));

        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered)
            .containsPattern("X-Bulwark-Virus: clean \\(ClamAV \\d+\\.\\d+\\.\\d+\\S* at 127\\.0\\.0\\.1:\\d+\\)")
            .contains("X-Spam-Flag: NO");
    }

    @Test
    void forgedVerdictHeadersFromTheSenderAreReplaced() throws Exception {
        String recipient = james.addUser("forged-target");
        String forged = TestSamples.plainMessage(SENDER, recipient, "trust me", TestSamples.GTUBE)
            .replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nX-Spam-Flag: NO\r\nX-Bulwark-Virus: clean (forged)\r\n");
        clients.send(SENDER, recipient, forged);

        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered).contains("X-Spam-Flag: YES").doesNotContain("X-Spam-Flag: NO").doesNotContain("(forged)");
    }

    @Test
    void anEicarMailClaimingToBeCleanIsQuarantined() throws Exception {
        String recipient = james.addUser("claims-clean");
        String forged = TestSamples.messageWithAttachment(SENDER, recipient, "trust me too", "a.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII))
            .replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nX-Bulwark-Virus: clean\r\nX-Virus-Scanned: clean\r\nX-Spam-Flag: NO\r\n");
        clients.send(SENDER, recipient, forged);

        java.util.Map<String, Object> entry = clients.awaitQuarantined("trust me too");
        assertThat(entry.get("reason")).isEqualTo("virus");
        String stored = clients.webAdmin().get("/bulwark/quarantine/" + entry.get("id") + "/eml").then().statusCode(200).extract().asString();
        assertThat(stored).doesNotContain("X-Bulwark-Virus: clean").doesNotContain("X-Virus-Scanned").doesNotContain("X-Spam-Flag: NO");
    }

    @Test
    void healthCheckReportsTheScanners() {
        String status = clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners")
            .then().statusCode(200)
            .extract().jsonPath().getString("status");
        assertThat(status).isEqualTo("healthy");
        // The integrity watch's first round runs at start-up: real clamd and spamd pass their self-tests.
        AWAIT.until(() -> clients.webAdmin().get("/healthcheck/checks/Bulwark%20integrity").then().extract().jsonPath().getString("status"),
            "healthy"::equals);
        clients.webAdmin().get("/bulwark/scanners").then().statusCode(200)
            .body("integrity.condition", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.equalTo("HEALTHY")))
            .body("integrity.size()", org.hamcrest.Matchers.equalTo(2));
    }
}
