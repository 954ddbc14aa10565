package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The admin notice from a template in James's conf folder, and what the rate limit does to a burst of
 * 200 infected messages: at most {@code maxPerWindow} admin notices per window, then a digest of what
 * was held back. This James's NotifyAdmin: template override, 5 notices per 15 s window.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NoticeTemplatesTest {
    private static final String POSTMASTER = BulwarkJames.POSTMASTER;
    private static final int BURST = 200;
    private static final int MAX_PER_WINDOW = 5;
    private static final Duration WINDOW = Duration.ofSeconds(15);

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .write("bulwark-templates/en/admin.mustache", "Subject: [Custom] {{reason}} for {{recipients}}\n\n"
            + "Our own words: quarantine {{quarantineId}}, sent from {{remoteAddress}}.\n")
        .replace("mailetcontainer.xml", "class=\"dev.bulwark.mailets.NotifyAdmin\">\n",
            "class=\"dev.bulwark.mailets.NotifyAdmin\">\n                <templateDirectory>" + conf.path().resolve("bulwark-templates")
                + "</templateDirectory>\n                <maxPerWindow>" + MAX_PER_WINDOW + "</maxPerWindow>\n                <window>"
                + WINDOW.toSeconds() + "s</window>\n"));

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
    @Order(1)
    void theAdminNoticeComesFromTheTemplateInTheConfFolder() throws Exception {
        String recipient = james.addUser("template-target");
        clients.send("mallory@forged.test", recipient, infected("mallory@forged.test", recipient, "custom notice"));

        Map<String, Object> entry = clients.awaitQuarantined("custom notice");
        // By subject, not as the postmaster's only message: admin alerts (scanner changes, outbreaks) go there too.
        String notice = clients.awaitPostmasterMail("[Custom] virus for " + recipient);
        assertThat(notice).contains("Subject: [Custom] virus for " + recipient)
            .contains("Our own words: quarantine " + entry.get("id") + ", sent from 127.0.0.1.")
            .doesNotContain("Bulwark kept a message out of the mailboxes");
    }

    @Test
    @Order(2)
    void aBurstOfTwoHundredGivesAtMostTheLimitPerWindowAndThenADigest() throws Exception {
        String recipient = james.addUser("burst-of-200");
        long started = System.nanoTime();
        for (int i = 0; i < BURST; i++) {
            clients.send("worm@forged.test", recipient, infected("worm@forged.test", recipient, "worm " + i));
        }
        AWAIT.atMost(Duration.ofMinutes(3)).until(() -> clients.quarantine("recipient=" + recipient + "&limit=1000").size() == BURST);
        // NotifyAdmin runs after the quarantine, and events are stored in the background: counted once every mail's
        // admin notice is decided, sent or held back, and stored.
        AWAIT.untilAsserted(() -> assertThat(sentAdminNotices(recipient) + suppressed(recipient)).isEqualTo(BURST));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        // The windows the burst's notices can fall in: the one the first test's notice opened, which may still run when
        // the burst begins, and those that begin during the burst (one per WINDOW at most).
        long windows = elapsed.toMillis() / WINDOW.toMillis() + 2;
        long notices = sentAdminNotices(recipient);
        assertThat(notices).as("admin notices for %d messages in %s", BURST, elapsed).isPositive().isLessThanOrEqualTo(MAX_PER_WINDOW * windows);
        assertThat(suppressed(recipient)).isEqualTo(BURST - notices);

        // The next infected mail after the window: the postmaster gets the digest of what was held back.
        AWAIT.atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            clients.send("worm@forged.test", recipient, infected("worm@forged.test", recipient, "after the burst " + System.nanoTime()));
            assertThat(adminNotices(recipient)).anySatisfy(details -> assertThat(details.get("kind")).isEqualTo("digest"));
        });
    }

    private List<Map<String, String>> adminNotices(String recipient) {
        return clients.webAdmin().get("/bulwark/events?kind=notice.sent&limit=1000&recipient=" + recipient).then().statusCode(200)
            .extract().jsonPath().getList("details");
    }

    private long sentAdminNotices(String recipient) {
        return adminNotices(recipient).stream().filter(details -> details.get("kind").equals("admin")).count();
    }

    private long suppressed(String recipient) {
        return clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&limit=1000&recipient=" + recipient).then().statusCode(200)
            .extract().jsonPath().getList("findAll { it.details.kind == 'admin' }").size();
    }
}
