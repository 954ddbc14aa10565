package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Sender lists, groups and outbreaks acting on mail, through the sample pipeline, in the real James
 * with real scanners. This James counts an outbreak from 3 detections of one virus and ends it after
 * 2 quiet seconds, so that a test sees both ends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class PolicyTest {
    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "outbreak.perVirus", "2")
        .setProperty("bulwark.properties", "outbreak.quietPeriod", "2s")).withPostmaster();

    private final BulwarkJames james;
    private final MailClients clients;

    PolicyTest(BulwarkJames james, MailClients clients) {
        this.james = james;
        this.clients = clients;
    }

    @Test
    void allowListedSendersSkipTheSpamCheck() throws Exception {
        String recipient = james.addUser("allow-target");
        clients.webAdmin().put("/bulwark/lists/allow/newsletter.partner.test").then().statusCode(204);

        clients.send("news@newsletter.partner.test", recipient,
            TestSamples.plainMessage("news@newsletter.partner.test", recipient, "partner news", TestSamples.GTUBE));

        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered).contains("X-Bulwark-Spam: skipped: sender allow-listed (@newsletter.partner.test)")
            .doesNotContain("X-Spam-Flag: YES").contains("X-Bulwark-Virus: clean");
    }

    @Test
    void blockListedSendersAreQuarantinedUnscanned() throws Exception {
        String recipient = james.addUser("block-target");
        clients.webAdmin().put("/bulwark/lists/block/*@*.spammer.test").then().statusCode(204);

        clients.send("bulk@mx1.spammer.test", recipient, TestSamples.plainMessage("bulk@mx1.spammer.test", recipient, "blocked offer", "hi"));

        Map<String, Object> entry = clients.awaitQuarantined("blocked offer");
        assertThat(entry).containsEntry("reason", "policy").containsEntry("sender", "bulk@mx1.spammer.test");
        // A clean mail sent afterwards arrives alone.
        clients.send("friend@example.com", recipient, TestSamples.plainMessage("friend@example.com", recipient, "hello", "hi"));
        assertThat(clients.awaitInboxMessage(recipient, 1)).contains("Subject: hello");
        assertThat(clients.inboxCount(recipient)).isEqualTo(1);
    }

    @Test
    void recipientsInDifferentGroupsGetTheirOwnPolicy() throws Exception {
        String strict = james.addUser("group-strict");
        String relaxed = james.addUser("group-relaxed");
        clients.webAdmin().put("/bulwark/groups/strict/" + strict).then().statusCode(204);

        clients.send("promo@outside.test", List.of(strict, relaxed), TestSamples.plainMessage("promo@outside.test", strict, "group offer", TestSamples.GTUBE));

        // The relaxed recipient gets it flagged; the strict one's copy is quarantined as spam.
        assertThat(clients.awaitInboxMessage(relaxed, 1)).contains("X-Spam-Flag: YES");
        Map<String, Object> entry = clients.awaitQuarantined("group offer");
        assertThat(entry).containsEntry("reason", "spam");
        assertThat((List<String>) entry.get("recipients")).containsExactly(strict);
        assertThat(clients.inboxCount(strict)).isZero();
    }

    @Test
    void anOutbreakStartsAboveTheThresholdAndEndsAfterTheQuietPeriod() throws Exception {
        String recipient = james.addUser("outbreak-target");
        clients.webAdmin().get("/bulwark/outbreak").then().statusCode(200).body("active", equalTo(false));

        for (int i = 0; i < 3; i++) {
            clients.send("worm@outside.test", recipient, TestSamples.messageWithAttachment("worm@outside.test", recipient, "worm " + i, "w.com",
                TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        }

        AWAIT.until(() -> clients.webAdmin().get("/bulwark/outbreak").then().extract().jsonPath().getBoolean("active"));
        assertThat(clients.webAdmin().get("/bulwark/outbreak").then().extract().jsonPath().getString("cause"))
            .contains("detections of Bulwark-Test.EICAR");
        // All three detected before the quiet period is awaited: one detected after the polled outbreak had ended would
        // start a second outbreak (three in the window are over the threshold).
        AWAIT.until(() -> clients.quarantine("recipient=" + recipient).size() == 3);
        AWAIT.until(() -> !clients.webAdmin().get("/bulwark/outbreak").then().extract().jsonPath().getBoolean("active"));
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=outbreak.ended").then().body("size()", equalTo(1)));
        // The alert reached the postmaster's mailbox, not just the event log.
        assertThat(clients.awaitPostmasterMail("[Bulwark] Virus outbreak started")).contains("detections of Bulwark-Test.EICAR")
            .contains("GET /bulwark/outbreak");
        assertThat(clients.awaitPostmasterMail("[Bulwark] Virus outbreak ended")).contains("Auto-Submitted: auto-generated");
        clients.webAdmin().get("/bulwark/events?kind=outbreak.started").then().body("size()", equalTo(1));
    }

    @Test
    void bannedAttachmentsAreQuarantinedWithTheReason() throws Exception {
        String recipient = james.addUser("banned-target");
        byte[] text = "not really a program".getBytes(StandardCharsets.US_ASCII);
        clients.send("files@outside.test", recipient, TestSamples.messageWithAttachment("files@outside.test", recipient, "banned plain", "setup.exe", text));
        clients.send("files@outside.test", recipient, TestSamples.messageWithAttachment("files@outside.test", recipient, "banned double", "invoice.pdf.exe", text));
        clients.send("files@outside.test", recipient, TestSamples.messageWithAttachment("files@outside.test", recipient, "allowed pdf", "invoice.pdf", text));

        Map<String, Object> plain = clients.awaitQuarantined("banned plain");
        Map<String, Object> doubled = clients.awaitQuarantined("banned double");
        assertThat(plain).containsEntry("reason", "banned");
        assertThat((Map<String, String>) plain.get("verdict")).containsEntry("bulwark.banned.reason", "setup.exe: banned extension .exe");
        assertThat((Map<String, String>) doubled.get("verdict")).containsEntry("bulwark.banned.reason", "invoice.pdf.exe: double extension .pdf.exe");
        assertThat(clients.awaitInboxMessage(recipient, 1)).contains("Subject: allowed pdf");
        assertThat(clients.inboxCount(recipient)).isEqualTo(1);
    }
}
