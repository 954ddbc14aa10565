package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The default runtime policy's {@code outbreak.*} (docs/policy.md) in the real James with real clamd: thresholds
 * changed over webadmin count from the next detection, without a restart (bulwark.properties only seeded them),
 * and {@code mode} says whether an outbreak alerts the postmaster (notify) or is only recorded (log). This James
 * ends an outbreak after 2 quiet seconds, so that one test sees two of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class RuntimePolicyOutbreakTest {
    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "outbreak.quietPeriod", "2s"));

    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) throws Exception {
        this.james = james;
        this.clients = new MailClients(james);
        james.addPostmaster();
    }

    private void outbreak(String mode) throws Exception {
        clients.changeDefaultPolicy(policy -> ((ObjectNode) policy.get("outbreak")).put("mode", mode).put("perVirus", 1).put("window", "1h"));
    }

    private void twoInfectedMails(String recipient, String subject) throws Exception {
        for (int i = 0; i < 2; i++) {
            clients.send("worm@outside.test", recipient, TestSamples.messageWithAttachment("worm@outside.test", recipient, subject + " " + i,
                "w.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private boolean active() {
        return clients.webAdmin().get("/bulwark/outbreak").then().statusCode(200).extract().jsonPath().getBoolean("active");
    }

    private List<Map<String, String>> outbreakAlerts() {
        return clients.webAdmin().get("/bulwark/events?kind=notice.sent&limit=1000").then().statusCode(200).extract().jsonPath()
            .<Map<String, Object>>getList("$").stream().map(event -> (Map<String, String>) event.get("details"))
            .filter(details -> "alert".equals(details.get("kind")) && details.get("subject").contains("outbreak started")).toList();
    }

    @Test
    void theDefaultPolicysThresholdsAndModeApplyWithoutARestart() throws Exception {
        String recipient = james.addUser("outbreak-live");
        // Seeded from bulwark.properties (10 of one virus): two detections are no outbreak.
        twoInfectedMails(recipient, "seeded");
        AWAIT.until(() -> clients.quarantine("recipient=" + recipient).size() == 2);
        assertThat(active()).isFalse();

        // Log only: the outbreak is counted and recorded, nobody is alerted.
        outbreak("log");
        twoInfectedMails(recipient, "logged");
        AWAIT.until(this::active);
        assertThat(clients.webAdmin().get("/bulwark/outbreak").then().extract().jsonPath().getString("cause")).contains("(threshold 1)");
        // Both detected before the quiet period is awaited: a second detection after this outbreak ended would start another,
        // still running when the notify mode's mail comes, which would then raise no new outbreak and no alert.
        AWAIT.until(() -> clients.quarantine("recipient=" + recipient).size() == 4);
        AWAIT.until(() -> !active());

        // Notify: the next one alerts the postmaster; the logged one never did.
        outbreak("notify");
        twoInfectedMails(recipient, "notified");
        assertThat(clients.awaitPostmasterMail("[Bulwark] Virus outbreak started")).contains("(threshold 1)");
        // The alert's event is stored in the background, after the outbreak's (which is then stored too).
        AWAIT.untilAsserted(() -> assertThat(outbreakAlerts()).hasSize(1));
        clients.webAdmin().get("/bulwark/events?kind=outbreak.started").then().body("size()", org.hamcrest.Matchers.equalTo(2));
    }
}
