package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The default runtime policy's {@code outbreak.mode: quarantine} (docs/policy.md) in the real James with real clamd:
 * while an outbreak is in progress, clean mail with an attachment is held for a rescan (reason unscannable), mail
 * without one is delivered, and the retroactive rescan gives the clean held mail back to be delivered although the
 * outbreak goes on; in {@code notify} mode nothing is held. Beside RuntimePolicyOutbreakTest because its outbreaks end
 * after 2 quiet seconds, too soon for a mail sent after them; here the outbreak lasts (outbreak.quietPeriod 30m).
 */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimePolicyOutbreakHoldTest {
    private static final String SENDER = "partner@outside.test";
    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) throws Exception {
        this.james = james;
        this.clients = new MailClients(james);
    }

    private void outbreakMode(String mode) throws Exception {
        clients.changeDefaultPolicy(policy -> ((ObjectNode) policy.get("outbreak")).put("mode", mode).put("perVirus", 1).put("window", "1h"));
    }

    private void sendAttachment(String recipient, String subject) throws Exception {
        clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, subject, "figures.txt",
            "quarterly figures\n".getBytes(StandardCharsets.US_ASCII)));
    }

    private boolean held(String subject) {
        return clients.held("unscannable").stream().anyMatch(entry -> subject.equals(entry.get("subject")));
    }

    @Test
    void inQuarantineModeMailWithAttachmentsIsHeldUntilARescanInNotifyModeItIsDelivered() throws Exception {
        String target = james.addUser("outbreak-target");
        String held = james.addUser("outbreak-held");
        String delivered = james.addUser("outbreak-delivered");
        outbreakMode("quarantine");
        for (int i = 0; i < 2; i++) {
            clients.send("worm@outside.test", target, TestSamples.messageWithAttachment("worm@outside.test", target, "worm " + i, "w.com",
                TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        }
        AWAIT.until(() -> clients.webAdmin().get("/bulwark/outbreak").then().statusCode(200).extract().jsonPath().getBoolean("active"));

        sendAttachment(held, "figures during the outbreak");
        clients.send(SENDER, held, TestSamples.plainMessage(SENDER, held, "no attachment", "see you tomorrow"));
        AWAIT.until(() -> held("figures during the outbreak"));
        AWAIT.until(() -> clients.inboxCount(held) == 1);
        assertThat(clients.awaitInboxMessage(held, 1)).contains("Subject: no attachment");

        // The rescan after a signature update (here an admin's): clean, it is delivered, the outbreak still on.
        String taskId = clients.webAdmin().post("/bulwark/quarantine?action=rescan").then().statusCode(201).extract().jsonPath().getString("taskId");
        assertThat(clients.awaitTask(taskId)).isEqualTo("completed");
        AWAIT.until(() -> clients.inboxCount(held) == 2);
        assertThat(held("figures during the outbreak")).isFalse();
        assertThat(clients.webAdmin().get("/bulwark/outbreak").then().extract().jsonPath().getBoolean("active")).isTrue();

        // Notify: the outbreak alerts, mail with attachments is delivered.
        outbreakMode("notify");
        sendAttachment(delivered, "figures in notify mode");
        AWAIT.until(() -> clients.inboxCount(delivered) == 1);
        assertThat(held("figures in notify mode")).isFalse();
    }
}
