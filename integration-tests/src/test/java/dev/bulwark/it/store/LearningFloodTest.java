package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.StoreLevelScanningOff;

/**
 * A user flooding the learner: thousands of messages moved into Junk in one command. The lessons wait in a
 * bounded queue ({@code learning.queueSize}, small here); what does not fit is refused at once, counted in
 * {@code bulwark_learning_refused} and reported in {@code spam.learn-failed} events with the count, so that every
 * message is accounted for; and another user's IMAP commands are answered meanwhile. The messages are delivered
 * mail, as a user's are (only mail the pipeline delivered is learned): a few sent over SMTP, then copied into
 * thousands (a copy keeps the scan stamp). Store-level scanning is left out of listeners.xml here: the copies that
 * set the scene would otherwise keep clamd busy for nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class LearningFloodTest {
    private static final int MESSAGES = 5000;
    private static final int QUEUE = 30;
    private static final int DELIVERED = 5;
    private static final int EVENT_PAGE = 1000;

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> StoreLevelScanningOff.apply(conf
        .setProperty("bulwark.properties", "learning.queueSize", Integer.toString(QUEUE))
        .setProperty("bulwark.properties", "learning.perUserPerMinute", "1000000")
        .setProperty("bulwark.properties", "learning.perUserPerDay", "1000000")));

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void start(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
        clients.webAdmin().get("/bulwark/events?kind=spam.learned").then().statusCode(200);
    }

    @Test
    void aFloodIntoJunkStaysBoundedEveryMessageIsAccountedForAndOthersAreServed() throws Exception {
        String flooder = james.addUser("flooder");
        String other = james.addUser("bystander");
        for (int i = 0; i < DELIVERED; i++) {
            clients.send("bulk@outside.test", flooder, TestSamples.plainMessage("bulk@outside.test", flooder, "bulk " + i,
                "Offer number " + i + " of many."));
        }
        clients.awaitInboxMessage(flooder, DELIVERED);
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(flooder, BulwarkJames.PASSWORD);
            imap.sendCommand("CREATE Incoming");
            imap.sendCommand("CREATE Junk");
            imap.select(TestIMAPClient.INBOX);
            for (int copied = 0; copied < MESSAGES; copied += DELIVERED) {
                String reply = imap.sendCommand("COPY 1:" + DELIVERED + " Incoming");
                assertThat(reply).as("COPY after %d copies", copied).contains("OK");
            }
            AWAIT.untilAsserted(() -> assertThat(imap.getMessageCount("Incoming")).isEqualTo(MESSAGES));
            imap.select("Incoming");
            long start = System.nanoTime();
            imap.sendCommand("MOVE 1:* Junk");
            Duration move = Duration.ofNanos(System.nanoTime() - start);
            assertThat(imap.getMessageCount("Junk")).isEqualTo(MESSAGES);
            assertThat(move).as("the MOVE waits for no lesson").isLessThan(Duration.ofSeconds(20));
        }

        // While the learner works through its queue, the bystander's commands are answered at once.
        long start = System.nanoTime();
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(other, BulwarkJames.PASSWORD);
            imap.append(TestIMAPClient.INBOX, TestSamples.plainMessage("friend@outside.test", other, "meanwhile", "Lunch?"));
            assertThat(imap.getMessageCount(TestIMAPClient.INBOX)).isEqualTo(1);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("another user's IMAP session during the flood").isLessThan(Duration.ofSeconds(5));
        assertThat(gauge("bulwark_learning_queued")).as("lessons waiting: never more than the queue").isLessThanOrEqualTo(QUEUE);

        // Nothing dropped silently: every message was learned or is in a refusal's count.
        AWAIT.atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            List<Map<String, Object>> learned = events("spam.learned", flooder);
            int refused = events("spam.learn-failed", flooder).stream()
                .mapToInt(event -> Integer.parseInt(((Map<String, String>) event.get("details")).getOrDefault("count", "1"))).sum();
            assertThat(learned.size() + refused).isEqualTo(MESSAGES);
            assertThat(learned.size()).as("the queue, and what the learner took from it meanwhile").isLessThan(MESSAGES / 2);
        });
        assertThat(events("spam.learn-failed", flooder)).allSatisfy(event -> assertThat((Map<String, String>) event.get("details"))
            .containsEntry("as", "spam").containsEntry("user", flooder).containsEntry("engine", "spamd")
            .hasEntrySatisfying("reason", reason -> assertThat(reason).contains("learning queue full")));
        assertThat(gauge("bulwark_learning_refused")).isEqualTo(MESSAGES - events("spam.learned", flooder).size());
        assertThat(events("spam.learned", other)).isEmpty();
    }

    /**
     * All the user's events of a kind, page by page: what the learner takes while a slow MOVE goes on can be more than
     * one page (1,000, the most webadmin gives), and a page alone would then miss lessons and never add up.
     */
    private List<Map<String, Object>> events(String kind, String user) {
        List<Map<String, Object>> all = new java.util.ArrayList<>();
        List<Map<String, Object>> page;
        do {
            page = clients.webAdmin().get("/bulwark/events?limit=" + EVENT_PAGE + "&offset=" + all.size() + "&kind=" + kind + "&recipient=" + user)
                .then().statusCode(200).extract().jsonPath().getList("$");
            all.addAll(page);
        } while (page.size() == EVENT_PAGE);
        return all;
    }

    /** A metric's value in webadmin's /metrics (Prometheus text). */
    private long gauge(String name) {
        String metrics = clients.webAdmin().get("/metrics").then().statusCode(200).extract().asString();
        Matcher matcher = Pattern.compile("(?m)^" + name + "(?:_total|_count)?(?:\\{[^}]*\\})? ([0-9.Ee+-]+)$").matcher(metrics);
        assertThat(matcher.find()).as(name + " in /metrics").isTrue();
        return (long) Double.parseDouble(matcher.group(1));
    }
}
