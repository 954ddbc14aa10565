package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.james.utils.TestIMAPClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The optional ham from messages read and kept ({@code learning.hamAfter}, here one second, looked for every
 * second): a delivered message read and left in a mailbox is learned as ham once and marked; an unread one, one
 * read in Junk and one in Sent are not; nor is one the user APPENDed already read (their own text: refused, with an
 * event saying why).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class ReadAndKeptHamTest {
    private static final String SENDER = "friend@outside.test";

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "learning.hamAfter", "1s")
        .setProperty("bulwark.properties", "learning.hamScanInterval", "1s"));

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void start(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
        clients.webAdmin().get("/bulwark/events?kind=spam.learned").then().statusCode(200);
    }

    private List<Map<String, Object>> readAndKept(String user) {
        return readAndKept(user, "spam.learned");
    }

    /** The user's events of a kind from read-and-kept ham (a move into Junk is a lesson too, of another trigger). */
    private List<Map<String, Object>> readAndKept(String user, String kind) {
        List<Map<String, Object>> events = clients.webAdmin().get("/bulwark/events?limit=1000&kind=" + kind + "&recipient=" + user).then()
            .statusCode(200).extract().jsonPath().getList("$");
        return events.stream().filter(event -> "read-and-kept".equals(((Map<String, String>) event.get("details")).get("trigger"))).toList();
    }

    private static String messageId(String message) {
        return message.lines().filter(line -> line.startsWith("Message-ID: ")).findFirst().orElseThrow().substring("Message-ID: ".length());
    }

    @Test
    void aMessageReadAndKeptIsLearnedAsHamOnceOthersAreNot() throws Exception {
        String ivy = james.addUser("kept-ivy");
        String kept = TestSamples.plainMessage(SENDER, ivy, "read and kept", "See you at the conference.");
        // Delivered one after the other, so that they are INBOX messages 1 to 4 in this order.
        List<String> delivered = List.of(kept, TestSamples.plainMessage(SENDER, ivy, "never read", "A newsletter."),
            TestSamples.plainMessage(SENDER, ivy, "read in junk", "Win a prize."), TestSamples.plainMessage(SENDER, ivy, "filed in sent", "Thanks!"));
        for (int i = 0; i < delivered.size(); i++) {
            clients.send(SENDER, ivy, delivered.get(i));
            clients.awaitInboxMessage(ivy, i + 1);
        }
        String appended = TestSamples.plainMessage(SENDER, ivy, "appended already read", "Words of my own, as ham.");
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(ivy, BulwarkJames.PASSWORD);
            imap.sendCommand("CREATE Junk");
            imap.sendCommand("CREATE Sent");
            imap.select(TestIMAPClient.INBOX);
            imap.sendCommand("MOVE 3 Junk");
            imap.sendCommand("MOVE 3 Sent");
            imap.append(TestIMAPClient.INBOX, appended); // INBOX message 3
            for (String mailbox : List.of(TestIMAPClient.INBOX, "Junk", "Sent")) {
                imap.select(mailbox);
                imap.sendCommand("STORE 1 +FLAGS (\\Seen)");
            }
            imap.select(TestIMAPClient.INBOX);
            imap.sendCommand("STORE 3 +FLAGS (\\Seen)");
        }

        Map<String, Object> ham = AWAIT.until(() -> readAndKept(ivy), events -> !events.isEmpty()).get(0);
        assertThat(ham.get("messageId")).isEqualTo(messageId(kept));
        assertThat((Map<String, String>) ham.get("details")).containsEntry("as", "ham").containsEntry("mailbox", "INBOX")
            .containsEntry("engine", "spamd");
        // Learned once: marked, and not looked at again; the unread, junk and sent messages never.
        AWAIT.during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(15)).until(() -> readAndKept(ivy).size() == 1);
        assertThat(AWAIT.until(() -> readAndKept(ivy, "spam.learn-failed"), events -> !events.isEmpty())).singleElement().satisfies(refused -> {
            assertThat(refused.get("messageId")).isEqualTo(messageId(appended));
            assertThat((Map<String, String>) refused.get("details")).containsEntry("as", "ham").containsEntry("mailbox", "INBOX")
                .containsEntry("reason", "not delivered by the pipeline");
        });
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(ivy, BulwarkJames.PASSWORD).select(TestIMAPClient.INBOX);
            assertThat(imap.sendCommand("FETCH 1 (FLAGS)")).contains("$BulwarkHamLearned");
        }
    }
}
