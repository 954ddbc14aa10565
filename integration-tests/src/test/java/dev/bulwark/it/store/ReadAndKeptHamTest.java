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
 * second): a message read and left in a mailbox is learned as ham once and marked; an unread one, one read in
 * Junk and one in Sent are not.
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
        List<Map<String, Object>> events = clients.webAdmin().get("/bulwark/events?limit=1000&kind=spam.learned&recipient=" + user).then()
            .statusCode(200).extract().jsonPath().getList("$");
        return events.stream().filter(event -> "read-and-kept".equals(((Map<String, String>) event.get("details")).get("trigger"))).toList();
    }

    @Test
    void aMessageReadAndKeptIsLearnedAsHamOnceOthersAreNot() throws Exception {
        String ivy = james.addUser("kept-ivy");
        String kept = TestSamples.plainMessage(SENDER, ivy, "read and kept", "See you at the conference.");
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(ivy, BulwarkJames.PASSWORD);
            imap.append(TestIMAPClient.INBOX, kept);
            imap.append(TestIMAPClient.INBOX, TestSamples.plainMessage(SENDER, ivy, "never read", "A newsletter."));
            imap.sendCommand("CREATE Junk");
            imap.sendCommand("CREATE Sent");
            imap.append("Junk", TestSamples.plainMessage(SENDER, ivy, "read in junk", "Win a prize."));
            imap.append("Sent", TestSamples.plainMessage(ivy, SENDER, "my own mail", "Thanks!"));
            for (String mailbox : List.of(TestIMAPClient.INBOX, "Junk", "Sent")) {
                imap.select(mailbox);
                imap.sendCommand("STORE 1 +FLAGS (\\Seen)");
            }
        }

        Map<String, Object> ham = AWAIT.until(() -> readAndKept(ivy), events -> !events.isEmpty()).get(0);
        assertThat(ham.get("messageId")).isEqualTo(kept.lines().filter(line -> line.startsWith("Message-ID: ")).findFirst().orElseThrow()
            .substring("Message-ID: ".length()));
        assertThat((Map<String, String>) ham.get("details")).containsEntry("as", "ham").containsEntry("mailbox", "INBOX")
            .containsEntry("engine", "spamd");
        // Learned once: marked, and not looked at again; the unread, junk and sent messages never.
        AWAIT.during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(15)).until(() -> readAndKept(ivy).size() == 1);
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(ivy, BulwarkJames.PASSWORD).select(TestIMAPClient.INBOX);
            assertThat(imap.sendCommand("FETCH 1 (FLAGS)")).contains("$BulwarkHamLearned");
        }
    }
}
