package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;

import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.RspamdDaemon;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The spam tests with rspamd as the spam engine ({@code spam.engine=rspamd}, the run's real rspamd): GTUBE is
 * flagged with the same X-Spam-* headers spamd gives (and quarantined for the strict group), clean mail is ham,
 * rspamd is told the envelope, the health checks, integrity watch and scanners JSON report rspamd in spamd's place, and a user's move into
 * and out of Junk teaches rspamd (through its controller, into the run's redis).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ScannerDaemonsExtension.class)
@SuppressWarnings("unchecked")
class RspamdSpamTest {
    private static final String SENDER = "newsletter@outside.test";
    private static final String STRICT = "rspamd-strict@" + BulwarkJames.DOMAIN;

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = BulwarkJamesExtension.onRspamd(conf -> conf
        .setProperty("bulwark.properties", "groups.strict", STRICT));

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void start(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
    }

    @Test
    void gtubeIsDeliveredFlaggedAsSpamWithSpamdsHeaders() throws Exception {
        String recipient = james.addUser("rspamd-spam");
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "cheap offer", TestSamples.GTUBE));

        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered)
            .contains("X-Bulwark-Spam: spam")
            .contains("X-Spam-Flag: YES")
            .containsPattern("X-Spam-Score: 15\\.0")
            .containsPattern("X-Spam-Status: Yes, score=15\\.0 required=15\\.0 tests=\\S*GTUBE")
            .contains("X-Bulwark-Virus: clean");
        List<String> kinds = AWAIT.until(() -> clients.webAdmin().get("/bulwark/events?recipient=" + recipient).then().statusCode(200)
            .extract().jsonPath().getList("kind", String.class), found -> found.contains("spam.spam"));
        assertThat(kinds).contains("verdict.clean");
    }

    @Test
    void gtubeForTheStrictGroupIsQuarantinedAsSpam() throws Exception {
        james.addUser("rspamd-strict");
        clients.send(SENDER, STRICT, TestSamples.plainMessage(SENDER, STRICT, "strict offer", TestSamples.GTUBE));

        assertThat(clients.awaitQuarantined("strict offer").get("reason")).isEqualTo("spam");
        assertThat(clients.inboxCount(STRICT)).isZero();
    }

    @Test
    void cleanMailIsHam() throws Exception {
        String recipient = james.addUser("rspamd-ham");
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "lunch", "Noon at the usual place?"));

        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered).contains("X-Bulwark-Spam: ham").contains("X-Spam-Flag: NO")
            .containsPattern("X-Spam-Status: No, score=-?\\d+\\.\\d+ required=15\\.0");
    }

    /**
     * SpamCheck tells rspamd how the mail arrived: with the envelope sender other than the From: header, rspamd's
     * FROM_NEQ_ENVFROM rule fires, which it cannot without the envelope.
     */
    @Test
    void rspamdIsToldTheEnvelopeSender() throws Exception {
        String recipient = james.addUser("rspamd-envelope");
        clients.send(SENDER, recipient, TestSamples.plainMessage("alice@elsewhere.test", recipient, "envelope", "Noon at the usual place?"));

        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered).contains("X-Bulwark-Spam: ham").containsPattern("X-Spam-Status: No, score=\\S+ required=15\\.0 tests=\\S*FROM_NEQ_ENVFROM");
    }

    @Test
    void aMessageMovedIntoJunkAndBackTeachesRspamd(RspamdDaemon rspamd) throws Exception {
        assumeTrue(rspamd.learns(), "the run's rspamd has no redis: it cannot learn");
        String carol = james.addUser("rspamd-learner");
        clients.send(SENDER, carol, TestSamples.plainMessage(SENDER, carol, "missed spam", "Cheap watches and replica handbags at half price, order now while the offer lasts, reference "
            + uniqueWords()));
        clients.awaitInboxMessage(carol, 1);

        try (TestIMAPClient imap = imap(carol)) {
            imap.sendCommand("CREATE Junk"); // NO when James made it already: fine
            imap.select(TestIMAPClient.INBOX);
            imap.moveFirstMessage("Junk");
        }
        Map<String, String> spam = (Map<String, String>) learned(carol, 1).get(0).get("details");
        assertThat(spam).containsEntry("engine", "rspamd").containsEntry("as", "spam").containsEntry("user", carol)
            .containsEntry("alreadyLearned", "false").containsEntry("trigger", "junk");

        try (TestIMAPClient imap = imap(carol)) {
            imap.select("Junk");
            imap.moveFirstMessage(TestIMAPClient.INBOX);
        }
        Map<String, String> ham = (Map<String, String>) learned(carol, 2).get(0).get("details");
        assertThat(ham).containsEntry("engine", "rspamd").containsEntry("as", "ham").containsEntry("alreadyLearned", "false");
        assertThat(clients.webAdmin().get("/bulwark/events?kind=spam.learn-failed&recipient=" + carol).then().statusCode(200)
            .extract().jsonPath().getList("$")).isEmpty();
    }

    /** Words no other lesson of the run has: rspamd's Bayes (shared by the run's tests) cannot know this message yet. */
    private static String uniqueWords() {
        java.util.Random random = new java.util.Random();
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            words.append(' ').append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
        }
        return words.toString();
    }

    private TestIMAPClient imap(String user) throws Exception {
        TestIMAPClient imap = new TestIMAPClient();
        imap.connect("127.0.0.1", james.imapPort()).login(user, BulwarkJames.PASSWORD);
        return imap;
    }

    /** The user's spam.learned events, newest first, once {@code count} are there. */
    private List<Map<String, Object>> learned(String user, int count) {
        return AWAIT.until(() -> clients.webAdmin().get("/bulwark/events?limit=100&kind=spam.learned&recipient=" + user).then().statusCode(200)
            .extract().jsonPath().<Map<String, Object>>getList("$"), events -> events.size() >= count);
    }

    @Test
    void healthChecksAndTheIntegrityWatchReportRspamd() {
        clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().statusCode(200).body("status", equalTo("healthy"));
        // The integrity watch's first round runs at start-up: clamd's EICAR and rspamd's GTUBE self-tests pass.
        AWAIT.until(() -> clients.webAdmin().get("/healthcheck/checks/Bulwark%20integrity").then().extract().jsonPath().getString("status"),
            "healthy"::equals);
        clients.webAdmin().get("/bulwark/scanners").then().statusCode(200)
            .body("integrity.daemon", equalTo(List.of("clamd", "rspamd")))
            .body("integrity.condition", everyItem(equalTo("HEALTHY")))
            .body("integrity.find { it.daemon == 'rspamd' }.reason", equalTo("PING and GTUBE self-test passed"))
            .body("pools.keySet()", hasItem("rspamd"))
            .body("pools.rspamd[0].inService", equalTo(true))
            .body("pools.spamd", equalTo(null));
    }
}
