package dev.bulwark.it;

import static dev.bulwark.it.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.bulwark.scanner.testing.TestSamples;

/**
 * Notices to the admin, the recipients and the sender, over IMAP in the real James, and no backscatter.
 * This James has the sample's opt-in recipient notices switched on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// The burst uses up this minute's admin notices: it runs last.
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class NotificationsTest {
    private static final String POSTMASTER = BulwarkJames.POSTMASTER;

    /** The sample's opt-in recipient notices, switched on. */
    @org.junit.jupiter.api.extension.RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .replace("mailetcontainer.xml", "(with its reference):\n", "(with its reference): -->\n")
        .replace("mailetcontainer.xml", "            </mailet>\n            -->\n", "            </mailet>\n"));
    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) throws Exception {
        this.james = james;
        this.clients = new MailClients(james);
        james.addPostmaster();
    }

    private static String infected(String from, String to, String subject) {
        return TestSamples.messageWithAttachment(from, to, subject, "x.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void adminAndRecipientAreToldAndAForgedSenderGetsNothing() throws Exception {
        String recipient = james.addUser("notice-target");
        long adminBefore = clients.inboxCount(POSTMASTER);
        clients.send("mallory@forged.test", recipient, infected("mallory@forged.test", recipient, "notice me"));

        Map<String, Object> entry = clients.awaitQuarantined("notice me");
        String notice = clients.awaitInboxMessage(recipient, 1);
        assertThat(notice).contains("A message for you was withheld: notice me").contains((String) entry.get("id"))
            .contains("Auto-Submitted: auto-generated").doesNotContain("X-Bulwark-Virus").doesNotContain(TestSamples.EICAR);
        String admin = AWAIT.until(() -> clients.inboxCount(POSTMASTER) > adminBefore ? clients.awaitInboxMessage(POSTMASTER, 1) : null,
            java.util.Objects::nonNull);
        assertThat(admin).contains("[Bulwark] virus: mail from mallory@forged.test quarantined");
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&sender=mallory@forged.test")
            .then().body("[0].details.kind", org.hamcrest.Matchers.equalTo("sender"))
            .body("[0].details.reason", org.hamcrest.Matchers.containsString("neither a local user nor an authenticated submitter")));
        clients.webAdmin().get("/bulwark/events?kind=notice.sent&recipient=" + recipient).then()
            .body("details.kind", org.hamcrest.Matchers.hasItems("admin", "recipient"));
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aLocalSenderIsToldButNotForListMail() throws Exception {
        String alice = james.addUser("notice-alice");
        String bob = james.addUser("notice-bob");
        clients.send(alice, bob, infected(alice, bob, "from alice"));
        String senderNotice = clients.awaitInboxMessage(alice, 1);
        assertThat(senderNotice).contains("Your message was not delivered: from alice").doesNotContain(TestSamples.EICAR);

        clients.send(alice, bob, infected(alice, bob, "list post").replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nList-Id: <team.bulwark.test>\r\n"));
        clients.awaitQuarantined("list post");
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&sender=" + alice)
            .then().body("details.reason", org.hamcrest.Matchers.hasItem("mailing-list mail (List-Id)")));
        assertThat(clients.inboxCount(alice)).isEqualTo(1);
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void aBurstDoesNotFloodTheAdmin() throws Exception {
        String recipient = james.addUser("burst-target");
        long adminBefore = clients.inboxCount(POSTMASTER);
        for (int i = 0; i < 30; i++) {
            clients.send("worm@forged.test", recipient, infected("worm@forged.test", recipient, "burst " + i));
        }
        AWAIT.atMost(Duration.ofMinutes(2)).until(() -> clients.quarantine("recipient=" + recipient + "&limit=1000").size() == 30);
        AWAIT.untilAsserted(() -> assertThat(clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&limit=1000&recipient=" + recipient)
            .then().extract().jsonPath().getList("findAll { it.details.kind == 'admin' }")).isNotEmpty());
        // 10 admin notices per minute at most (NotifyAdmin's default), whatever came before in this minute.
        assertThat(clients.inboxCount(POSTMASTER) - adminBefore).isLessThanOrEqualTo(10);
    }
}
