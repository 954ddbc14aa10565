package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.SmtpTimeRejection;

/**
 * Runtime policies for mail no scanner could judge (docs/policy.md, {@code actions.scanFailed}): this James's
 * clamd never answers (nothing listens on its port). A group whose policy allows unscanned delivery gets the
 * mail, saying it was not scanned; the other recipient of the same mail follows the default, and it is held.
 * SmtpScanHook runs with {@code usePolicy} and {@code failClosed=false}: a mail is refused (451) during the SMTP
 * transaction only when every recipient's {@code actions.scanFailed} is reject.
 */
@SuppressWarnings("unchecked")
class RuntimePolicyUnscannedTest {
    /** Never started: its clamd port is where James looks for clamd, and nothing answers there. */
    @RegisterExtension
    @Order(1)
    static final PrivateScanners NO_CLAMD = PrivateScanners.onFreePorts().startedByTest();

    @RegisterExtension
    @Order(2)
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> SmtpTimeRejection.byPolicy(conf)
        // Without SmtpScanHook's own temp-failure while clamd is down: the policies decide.
        .replace("smtpserver.xml", "<failClosed>true</failClosed>", "<failClosed>false</failClosed>")
        .setProperty("bulwark.properties", "clamd.endpoints", NO_CLAMD.clamdAddress())
        .setProperty("bulwark.properties", "startup.requireScanners", "false"));

    @Test
    void aGroupThatAllowsUnscannedDeliveryGetsTheMailTaggedTheDefaultHoldsIt(BulwarkJames james, MailClients clients) throws Exception {
        String plain = james.addUser("unscanned-plain");
        String member = james.addUser("unscanned-member");
        clients.webAdmin().put("/bulwark/groups/lab-relay/" + member).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"scanFailed\": \"deliver-tagged\", \"allowUnscannedDelivery\": true}}")
            .put("/bulwark/policies/groups/lab-relay").then().statusCode(200);

        clients.send("partner@outside.test", List.of(plain, member), TestSamples.plainMessage("partner@outside.test", plain,
            "while clamd is down", "hello"));

        String delivered = clients.awaitInboxMessage(member, 1).replaceAll("\r\n[ \t]+", " ");
        assertThat(delivered).contains("Subject: while clamd is down").contains("X-Bulwark-Virus: not scanned: ")
            .containsPattern("X-Bulwark-Policy: scanFailed \\(.+\\), delivered unscanned as the recipient's policy says")
            .doesNotContain("X-Bulwark-Stamp");
        // The default policy (hold): the other recipient's part is held, never delivered.
        Map<String, Object> held = AWAIT.until(() -> clients.held("scan-failed").stream()
            .filter(entry -> "while clamd is down".equals(entry.get("subject"))).toList(), entries -> !entries.isEmpty()).get(0);
        assertThat((List<String>) held.get("recipients")).containsExactly(plain);
        assertThat(clients.inboxCount(plain)).isZero();
        // Events are stored in the background: the delivery may come first.
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=unscanned.delivered").then().statusCode(200)
            .body("[0].details.recipients", org.hamcrest.Matchers.equalTo(member))
            .body("[0].details.verdict", org.hamcrest.Matchers.equalTo("scanFailed")));
    }

    @Test
    void mailIsRefusedAtSmtpTimeOnlyWhenEveryRecipientsScanFailedActionIsReject(BulwarkJames james, MailClients clients) throws Exception {
        String plain = james.addUser("refuse-plain");
        String member = james.addUser("refuse-member");
        clients.webAdmin().put("/bulwark/groups/refuse-unscanned/" + member).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"scanFailed\": \"reject\"}}").put("/bulwark/policies/groups/refuse-unscanned")
            .then().statusCode(200);

        org.apache.commons.net.smtp.SMTPClient smtp = new org.apache.commons.net.smtp.SMTPClient();
        smtp.connect("127.0.0.1", james.smtpPort());
        try {
            smtp.helo("outside.test");
            smtp.setSender("partner@outside.test");
            smtp.addRecipient(member);
            smtp.sendShortMessageData(TestSamples.plainMessage("partner@outside.test", member, "refused while clamd is down", "hello"));
            assertThat(smtp.getReplyCode()).isEqualTo(451);
            assertThat(smtp.getReplyString()).contains("4.7.1 Virus scanner unavailable");
        } finally {
            smtp.disconnect();
        }

        // With a recipient whose policy holds it, the mail is accepted, and both parts are held.
        clients.send("partner@outside.test", List.of(member, plain), TestSamples.plainMessage("partner@outside.test", member,
            "held while clamd is down", "hello"));
        Map<String, Object> held = AWAIT.until(() -> clients.held("scan-failed").stream()
            .filter(entry -> "held while clamd is down".equals(entry.get("subject"))).toList(), entries -> !entries.isEmpty()).get(0);
        assertThat((List<String>) held.get("recipients")).containsExactlyInAnyOrder(member, plain);
    }
}
