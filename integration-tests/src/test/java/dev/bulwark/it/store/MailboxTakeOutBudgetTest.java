package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * The per-owner take-out budget of store-level scanning in a real James with real clamd, set to two messages a
 * day: a user who keeps APPENDing viruses gets two of them into the quarantine; past that each one is still taken
 * out of the mailbox (the user never keeps the virus) but deleted without a copy, a
 * {@code mailbox.deleted-over-budget} event says so with owner, actor and counts, and the postmaster is alerted
 * once. Another owner's budget is untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class MailboxTakeOutBudgetTest {
    private static final String SENDER = "mallory@outside.test";
    private static final String DELETED = "mailbox.deleted-over-budget";
    private static final String ALERT = "[Bulwark] mailbox take-out budget spent by ";

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "mailbox.takeOutsPerOwnerPerDay", "2")).withPostmaster();

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
        // The first webadmin call of a JVM is slow (REST Assured starts up): not inside a test's 30-second wait.
        clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200);
    }

    private static String eicar(String to, String subject) {
        return TestSamples.messageWithAttachment(SENDER, to, subject, "invoice.txt", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    }

    private List<Map<String, Object>> deletedOverBudget(String owner) {
        return clients.webAdmin().get("/bulwark/events?kind=" + DELETED + "&recipient=" + owner).then().statusCode(200)
            .extract().jsonPath().getList(".");
    }

    /** Alerts sent to the postmaster about this owner's budget, by their {@code notice.sent} events. */
    private long alertsAbout(String owner) {
        List<Map<String, String>> sent = clients.webAdmin().get("/bulwark/events?kind=notice.sent&recipient=" + BulwarkJames.POSTMASTER)
            .then().statusCode(200).extract().jsonPath().getList("details");
        return sent.stream().filter(details -> "alert".equals(details.get("kind")) && (ALERT + owner).equals(details.get("subject"))).count();
    }

    @Test
    void pastTheOwnersBudgetAppendedVirusesAreDeletedWithoutACopyRecordedAndTheAdminAlertedOnce() throws Exception {
        String mallory = james.addUser("budget-mallory");
        for (int i = 1; i <= 3; i++) {
            clients.append(mallory, "INBOX", eicar(mallory, "looped eicar " + i));
        }

        AWAIT.untilAsserted(() -> assertThat(deletedOverBudget(mallory)).hasSize(1));
        AWAIT.untilAsserted(() -> assertThat(clients.inboxCount(mallory)).as("no virus stays in the mailbox").isZero());
        assertThat(clients.quarantine("recipient=" + mallory)).as("only the budget's two are kept").hasSize(2);
        Map<String, String> details = (Map<String, String>) deletedOverBudget(mallory).get(0).get("details");
        assertThat(details).containsEntry("owner", mallory).containsEntry("actor", mallory).containsEntry("mailbox", "INBOX")
            .containsEntry("reason", "virus").containsEntry("kept", "metadata only").containsEntry("takenOutToday", "2")
            .containsEntry("maxMessages", "2").containsEntry("refusedToday", "1").containsKey("size");
        assertThat(details.get("virusNames")).startsWith("Bulwark-Test.EICAR");
        assertThat(details.get("subject")).startsWith("looped eicar ");
        AWAIT.until(() -> alertsAbout(mallory) == 1);

        // Still over budget: the next one goes the same way, and the admin is not alerted again.
        clients.append(mallory, "Archive", eicar(mallory, "looped eicar 4"));
        AWAIT.untilAsserted(() -> assertThat(deletedOverBudget(mallory)).hasSize(2));
        AWAIT.untilAsserted(() -> assertThat(clients.messageCount(mallory, "Archive")).isZero());
        assertThat(clients.quarantine("recipient=" + mallory)).hasSize(2);
        AWAIT.during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> alertsAbout(mallory) == 1);

        // Banned content is not known to be bad (an old installer a migration brings): never charged, kept even now.
        clients.append(mallory, "INBOX", TestSamples.messageWithAttachment(SENDER, mallory, "old installer", "setup.exe",
            "not really a program".getBytes(StandardCharsets.US_ASCII)));
        assertThat(clients.awaitQuarantined("old installer")).containsEntry("reason", "banned");
        assertThat(deletedOverBudget(mallory)).hasSize(2);
    }

    /**
     * The mailbox name is the user's to choose (here with a right-to-left override, which IMAP carries as modified UTF-7
     * {@code &IC4-}): the postmaster's alert shows it on one line with the override neutralised, and no log line carries it.
     */
    @Test
    void aHostileMailboxNameCannotReorderTheAlertOrTheLog() throws Exception {
        String eve = james.addUser("budget-eve");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        log.start();
        root.addAppender(log);
        try {
            clients.append(eve, "INBOX", eicar(eve, "eve 1"));
            clients.append(eve, "INBOX", eicar(eve, "eve 2"));
            AWAIT.untilAsserted(() -> assertThat(clients.quarantine("recipient=" + eve)).hasSize(2));
            clients.append(eve, "Reports&IC4-fdp.exe", eicar(eve, "eve 3"));

            AWAIT.untilAsserted(() -> assertThat(deletedOverBudget(eve)).hasSize(1));
            assertThat((Map<String, String>) deletedOverBudget(eve).get(0).get("details")).as("the event keeps the name as it is")
                .containsEntry("mailbox", "Reports\u202Efdp.exe");
            String alert = (String) new MimeMessage(null, new ByteArrayInputStream(clients.awaitPostmasterMail(ALERT + eve)
                .getBytes(StandardCharsets.ISO_8859_1))).getContent();
            assertThat(alert).contains("in Reports\uFFFDfdp.exe, added by " + eve).doesNotContain("\u202E");
        } finally {
            root.detachAppender(log);
        }
        assertThat(log.list).filteredOn(event -> event.getLoggerName().startsWith("dev.bulwark")).map(ILoggingEvent::getFormattedMessage)
            .filteredOn(line -> line.contains("Reports"))
            .isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain("\u202E"));
    }

    @Test
    void anotherOwnersTakeOutsAreNotChargedToTheSpentBudget() throws Exception {
        String trent = james.addUser("budget-trent");
        clients.append(trent, "INBOX", eicar(trent, "trent's eicar"));

        Map<String, Object> entry = clients.awaitQuarantined("trent's eicar");
        assertThat(entry).containsEntry("origin", Map.of("owner", trent, "mailbox", "INBOX", "actor", trent));
        assertThat(deletedOverBudget(trent)).isEmpty();
    }
}
