package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Users teach the spam filter by moving mail, in a real James with a real spamd (the listener of
 * james-conf/listeners.xml as shipped): a move or copy of delivered mail into Junk is learned as spam for the
 * mailbox's owner, a move back out as ham, an APPEND to the INBOX teaches nothing, a message the user APPENDed
 * (their own text, no scan stamp) teaches nothing wherever it is moved, and an admin's release of a false positive
 * with {@code learnAsHam} teaches ham for each recipient. The messages moved are delivered over SMTP first, as a
 * user's are. The spamd of this class has Bayes minimums of one message
 * (scripts/scanners.sh BULWARK_SPAMD_LOCAL_CF), so that a handful of lessons visibly change the next verdict.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class LearningFromUsersTest {
    private static final String SENDER = "seller@outside.test";
    private static final Pattern MESSAGE_ID = Pattern.compile("(?m)^Message-ID: (<[^>]+>)");

    @RegisterExtension
    @Order(1)
    static final PrivateScanners SCANNERS = PrivateScanners.onFreePorts().withSpamdLocalCf("""
        # Learning shows in verdicts after a handful of lessons, not after 200 of each kind.
        use_bayes 1
        bayes_auto_learn 0
        bayes_min_spam_num 1
        bayes_min_ham_num 1
        """);

    @RegisterExtension
    @Order(2)
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "clamd.endpoints", SCANNERS.clamdAddress())
        .setProperty("bulwark.properties", "spamd.endpoints", SCANNERS.spamdAddress()));

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void start(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
        clients.webAdmin().get("/bulwark/events?kind=spam.learned").then().statusCode(200);
    }

    private TestIMAPClient imap(String user) throws Exception {
        TestIMAPClient imap = new TestIMAPClient();
        imap.connect("127.0.0.1", james.imapPort()).login(user, BulwarkJames.PASSWORD);
        return imap;
    }

    private static String messageId(String message) {
        Matcher matcher = MESSAGE_ID.matcher(message);
        assertThat(matcher.find()).as("a Message-ID in " + message).isTrue();
        return matcher.group(1);
    }

    /** The user's events of a kind, once {@code count} of them are there. */
    private List<Map<String, Object>> events(String kind, String user, int count) {
        return AWAIT.until(() -> clients.webAdmin().get("/bulwark/events?limit=1000&kind=" + kind + "&recipient=" + user).then().statusCode(200)
            .extract().jsonPath().getList("$"), events -> events.size() >= count);
    }

    private List<Map<String, Object>> eventsNow(String kind, String user) {
        return clients.webAdmin().get("/bulwark/events?limit=1000&kind=" + kind + "&recipient=" + user).then().statusCode(200)
            .extract().jsonPath().getList("$");
    }

    private static Map<String, String> details(Map<String, Object> event) {
        return (Map<String, String>) event.get("details");
    }

    @Test
    void aDeliveredMessageMovedIntoJunkIsLearnedAsSpamAndMovedBackAsHam() throws Exception {
        String alice = james.addUser("learn-alice");
        clients.send(SENDER, alice, TestSamples.plainMessage(SENDER, alice, "missed spam", "Cheap watches, order now."));
        String messageId = messageId(clients.awaitInboxMessage(alice, 1));

        try (TestIMAPClient imap = imap(alice)) {
            imap.sendCommand("CREATE Junk"); // NO when James made it already: fine
            imap.select(TestIMAPClient.INBOX);
            imap.moveFirstMessage("Junk");
        }
        Map<String, Object> spam = events("spam.learned", alice, 1).get(0);
        assertThat(spam).containsEntry("messageId", messageId).containsEntry("recipients", List.of(alice));
        assertThat(details(spam)).containsEntry("as", "spam").containsEntry("user", alice).containsEntry("engine", "spamd")
            .containsEntry("alreadyLearned", "false").containsEntry("mailbox", "Junk").containsEntry("trigger", "junk");

        try (TestIMAPClient imap = imap(alice)) {
            imap.select("Junk");
            imap.moveFirstMessage(TestIMAPClient.INBOX);
        }
        Map<String, Object> ham = events("spam.learned", alice, 2).get(0);
        assertThat(ham).containsEntry("messageId", messageId);
        assertThat(details(ham)).containsEntry("as", "ham").containsEntry("alreadyLearned", "false").containsEntry("mailbox", "INBOX")
            .containsEntry("trigger", "not-junk");
        assertThat(eventsNow("spam.learn-failed", alice)).isEmpty();
    }

    @Test
    void aCopyIntoJunkCountsAndTheSameLessonAgainIsAlreadyLearned() throws Exception {
        String bob = james.addUser("learn-bob");
        String message = TestSamples.plainMessage(SENDER, bob, "copied spam", "Replica handbags at half price.");
        clients.send(SENDER, bob, message);
        clients.awaitInboxMessage(bob, 1);

        try (TestIMAPClient imap = imap(bob)) {
            imap.sendCommand("CREATE Spam");
            imap.select(TestIMAPClient.INBOX);
            imap.copyFirstMessage("Spam");
        }
        assertThat(details(events("spam.learned", bob, 1).get(0))).containsEntry("as", "spam").containsEntry("alreadyLearned", "false")
            .containsEntry("mailbox", "Spam");

        // Copied into Junk too: the same lesson, which spamd already has.
        try (TestIMAPClient imap = imap(bob)) {
            imap.sendCommand("CREATE Junk"); // NO when James made it already: fine
            imap.select(TestIMAPClient.INBOX);
            imap.copyFirstMessage("Junk");
        }
        Map<String, Object> again = events("spam.learned", bob, 2).get(0);
        assertThat(again).containsEntry("messageId", messageId(message));
        assertThat(details(again)).containsEntry("as", "spam").containsEntry("alreadyLearned", "true").containsEntry("mailbox", "Junk");
        // A copy out of junk leaves it there: no ham.
        try (TestIMAPClient imap = imap(bob)) {
            imap.sendCommand("CREATE Archive");
            imap.select("Junk");
            imap.copyFirstMessage("Archive");
        }
        AWAIT.during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> eventsNow("spam.learned", bob).size() == 2);
    }

    @Test
    void anAppendToTheInboxOrADeliveryTeachesNothing() throws Exception {
        String carol = james.addUser("learn-carol");
        String appended = TestSamples.plainMessage(SENDER, carol, "appended to inbox", "An ordinary newsletter.");
        clients.append(carol, TestIMAPClient.INBOX, appended);
        clients.send(SENDER, carol, TestSamples.plainMessage(SENDER, carol, "delivered to inbox", "Another newsletter."));
        AWAIT.until(() -> clients.inboxCount(carol) == 2);

        // The listener is working: a message delivered and moved into Junk afterwards is learned, and it is the only lesson.
        String moved = TestSamples.plainMessage(SENDER, carol, "moved later", "A real spam.");
        clients.send(SENDER, carol, moved);
        AWAIT.until(() -> clients.inboxCount(carol) == 3);
        try (TestIMAPClient imap = imap(carol)) {
            imap.sendCommand("CREATE Junk"); // NO when James made it already: fine
            imap.select(TestIMAPClient.INBOX);
            imap.sendCommand("MOVE 3 Junk");
        }
        events("spam.learned", carol, 1);
        AWAIT.during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> eventsNow("spam.learned", carol).size() == 1);
        assertThat(eventsNow("spam.learned", carol)).singleElement().satisfies(event -> assertThat(event).containsEntry("messageId", messageId(moved)));
    }

    @Test
    void aMoveFromJunkToTheTrashIsNoHam() throws Exception {
        String erin = james.addUser("learn-erin");
        clients.send(SENDER, erin, TestSamples.plainMessage(SENDER, erin, "junk to trash", "Lottery winnings await."));
        clients.awaitInboxMessage(erin, 1);
        try (TestIMAPClient imap = imap(erin)) {
            imap.sendCommand("CREATE Junk"); // NO when James made it already: fine
            imap.select(TestIMAPClient.INBOX);
            imap.moveFirstMessage("Junk");
        }
        events("spam.learned", erin, 1); // moved into Junk: spam
        try (TestIMAPClient imap = imap(erin)) {
            imap.sendCommand("CREATE Trash");
            imap.select("Junk");
            imap.moveFirstMessage("Trash");
        }
        AWAIT.during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> eventsNow("spam.learned", erin).size() == 1);
    }

    /**
     * A message the user APPENDed is their own text, whatever it claims: moved into Junk it is refused (an event
     * says why) and spamd is not told. The proof that spamd was not told: the same message, delivered later and
     * moved into Junk, is new to it.
     */
    @Test
    void anAppendedMessageMovedIntoJunkIsNotLearned() throws Exception {
        String ivan = james.addUser("learn-ivan");
        String written = TestSamples.plainMessage(SENDER, ivan, "written by the user", "Words of my own that the filter should hate.");
        clients.append(ivan, TestIMAPClient.INBOX, written);
        try (TestIMAPClient imap = imap(ivan)) {
            imap.sendCommand("CREATE Junk"); // NO when James made it already: fine
            imap.select(TestIMAPClient.INBOX);
            imap.moveFirstMessage("Junk");
        }
        Map<String, Object> refused = events("spam.learn-failed", ivan, 1).get(0);
        assertThat(refused).containsEntry("messageId", messageId(written)).containsEntry("recipients", List.of(ivan));
        assertThat(details(refused)).containsEntry("reason", "not delivered by the pipeline").containsEntry("as", "spam")
            .containsEntry("user", ivan).containsEntry("actor", ivan).containsEntry("trigger", "junk").containsEntry("mailbox", "Junk")
            .containsEntry("engine", "spamd");
        assertThat(eventsNow("spam.learned", ivan)).isEmpty();

        clients.send(SENDER, ivan, written);
        clients.awaitInboxMessage(ivan, 1);
        try (TestIMAPClient imap = imap(ivan)) {
            imap.select(TestIMAPClient.INBOX);
            imap.moveFirstMessage("Junk");
        }
        Map<String, Object> learned = events("spam.learned", ivan, 1).get(0);
        assertThat(learned).containsEntry("messageId", messageId(written));
        assertThat(details(learned)).as("spamd had not seen it").containsEntry("alreadyLearned", "false");
        assertThat(eventsNow("spam.learn-failed", ivan)).hasSize(1);
    }

    /**
     * The proof that spamd learned, not only that it was told: a new message like the lessons gets a Bayes rule.
     * The lessons are delivered mail, as a user's are, so that what every delivery has in its headers weighs on
     * both sides and the words decide.
     */
    @Test
    void lessonsChangeTheNextVerdict() throws Exception {
        String dave = james.addUser("learn-dave");
        for (int i = 0; i < 4; i++) {
            clients.send("pharmacy@outside.test", dave, TestSamples.plainMessage("pharmacy@outside.test", dave, "cheap pills " + i,
                "Buy cheap viagra pills now, discount pharmacy offer " + i + ", lowest price guaranteed, order today."));
        }
        AWAIT.until(() -> clients.inboxCount(dave) == 4);
        for (int i = 0; i < 3; i++) {
            clients.send("alice@partner.test", dave, TestSamples.plainMessage("alice@partner.test", dave, "project meeting " + i,
                "Hello Dave, the project meeting moves to Thursday " + i + ", the agenda is attached. Regards, Alice"));
        }
        AWAIT.until(() -> clients.inboxCount(dave) == 7);
        try (TestIMAPClient imap = imap(dave)) {
            imap.sendCommand("CREATE Junk"); // NO when James made it already: fine
            imap.select(TestIMAPClient.INBOX);
            imap.sendCommand("MOVE 1:4 Junk"); // the pills: spam
            imap.sendCommand("MOVE 1:3 Junk"); // the colleague's mail, filed into Junk by mistake...
        }
        events("spam.learned", dave, 7);
        try (TestIMAPClient imap = imap(dave)) {
            imap.select("Junk");
            imap.sendCommand("MOVE 5:7 INBOX"); // ...and taken back out: ham
        }
        List<Map<String, Object>> lessons = events("spam.learned", dave, 10);
        assertThat(lessons).extracting(event -> details(event).get("as")).filteredOn("ham"::equals).hasSize(3);

        clients.send("pharmacy@outside.test", dave, TestSamples.plainMessage("pharmacy@outside.test", dave, "pills again",
            "Buy cheap viagra pills now, discount pharmacy offer today."));
        AWAIT.until(() -> clients.inboxCount(dave) == 4);
        assertThat(inbox(dave)).containsPattern("X-Spam-Status: \\S+ score=[-0-9.]+ required=[0-9.]+\\s+tests=\\S*BAYES_(6|7|8|9)");
    }

    @Test
    void aFalsePositiveReleasedWithLearnAsHamTeachesHamForEachRecipient() throws Exception {
        String frank = james.addUser("learn-frank");
        String grace = james.addUser("learn-grace");
        clients.webAdmin().put("/bulwark/groups/strict/" + frank).then().statusCode(204);
        clients.webAdmin().put("/bulwark/groups/strict/" + grace).then().statusCode(204);
        String message = TestSamples.plainMessage(SENDER, frank, "false positive", TestSamples.GTUBE);
        clients.send(SENDER, List.of(frank, grace), message);
        Map<String, Object> entry = clients.awaitQuarantined("false positive");
        assertThat(entry).containsEntry("reason", "spam");

        clients.webAdminJson("{\"all\": true, \"learnAsHam\": true}").post("/bulwark/quarantine/" + entry.get("id") + "/release")
            .then().statusCode(200);
        for (String recipient : List.of(frank, grace)) {
            Map<String, Object> lesson = events("spam.learned", recipient, 1).get(0);
            assertThat(lesson).containsEntry("messageId", messageId(message)).containsEntry("recipients", List.of(recipient));
            assertThat(details(lesson)).containsEntry("as", "ham").containsEntry("trigger", "release")
                .containsEntry("quarantineId", (String) entry.get("id"));
        }
    }

    @Test
    void learnAsHamIsOnlyForSpam() throws Exception {
        String heidi = james.addUser("learn-heidi");
        clients.send(SENDER, heidi, TestSamples.messageWithAttachment(SENDER, heidi, "virus not ham", "eicar.txt",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        Map<String, Object> entry = clients.awaitQuarantined("virus not ham");
        clients.webAdminJson("{\"all\": true, \"learnAsHam\": true}").post("/bulwark/quarantine/" + entry.get("id") + "/release")
            .then().statusCode(400).body("message", org.hamcrest.Matchers.containsString("learnAsHam"));
        assertThat(clients.quarantine("recipient=" + heidi)).singleElement()
            .satisfies(kept -> assertThat((List<Object>) kept.get("releases")).isEmpty());
    }

    private String inbox(String user) throws Exception {
        try (TestIMAPClient imap = imap(user)) {
            imap.select(TestIMAPClient.INBOX);
            return imap.sendCommand("FETCH 1:* (BODY.PEEK[HEADER])");
        }
    }
}
