package dev.bulwark.it;

import static dev.bulwark.it.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * Runtime policies for mail no scanner could judge (docs/policy.md, {@code actions.scanFailed}): this James's
 * clamd never answers (nothing listens on its port). A group whose policy allows unscanned delivery gets the
 * mail, saying it was not scanned; the other recipient of the same mail follows the default, and it is held.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class RuntimePolicyUnscannedTest {
    /** Never started: its clamd port is where James looks for clamd, and nothing answers there. */
    @RegisterExtension
    @Order(1)
    static final PrivateScanners NO_CLAMD = PrivateScanners.onFreePorts().startedByTest();

    @RegisterExtension
    @Order(2)
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "clamd.endpoints", NO_CLAMD.clamdAddress())
        .setProperty("bulwark.properties", "startup.requireScanners", "false"));

    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
    }

    @Test
    void aGroupThatAllowsUnscannedDeliveryGetsTheMailTaggedTheDefaultHoldsIt() throws Exception {
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
        clients.webAdmin().get("/bulwark/events?kind=unscanned.delivered").then().statusCode(200)
            .body("[0].details.recipients", org.hamcrest.Matchers.equalTo(member))
            .body("[0].details.verdict", org.hamcrest.Matchers.equalTo("scanFailed"));
    }
}
