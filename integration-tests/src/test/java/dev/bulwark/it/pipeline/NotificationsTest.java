package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Notices to the admin, the recipients and the sender, over IMAP in the real James, and no backscatter:
 * a sender is told only when the mail came with SMTP AUTH or from an authorised network (this James, like
 * every test James, authorises no loopback address: the test client is the internet). Text from a
 * hostile mail stays on one line in every notice and cannot forge a log line. This James has the
 * default policy's opt-in recipient notices ({@code notices.recipients}) switched on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// The burst uses up this minute's admin notices: it runs last.
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class NotificationsTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension();
    private MailClients clients;
    private BulwarkJames james;
    /** Before the class's first admin notice, which opens the rate limit's first window. */
    private long started;

    @BeforeAll
    void clients(BulwarkJames james) throws Exception {
        started = System.nanoTime();
        this.james = james;
        this.clients = new MailClients(james);
        james.addPostmaster();
        // The default policy's opt-in recipient notices, switched on.
        clients.changeDefaultPolicy(policy -> ((com.fasterxml.jackson.databind.node.ObjectNode) policy.get("notices")).put("recipients", true));
    }

    /** A notice's text, decoded from the raw message IMAP gives. */
    private static String text(String raw) throws Exception {
        return (String) new javax.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)))
            .getContent();
    }

    private static String infected(String from, String to, String subject) {
        return TestSamples.messageWithAttachment(from, to, subject, "x.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void adminAndRecipientAreToldAndAForgedSenderGetsNothing() throws Exception {
        String recipient = james.addUser("notice-target");
        clients.send("mallory@forged.test", recipient, infected("mallory@forged.test", recipient, "notice me"));

        Map<String, Object> entry = clients.awaitQuarantined("notice me");
        String notice = clients.awaitInboxMessage(recipient, 1);
        assertThat(notice).contains("A message for you was withheld: notice me").contains((String) entry.get("id"))
            .contains("Auto-Submitted: auto-generated").doesNotContain("X-Bulwark-Virus").doesNotContain(TestSamples.EICAR);
        // By subject, not as the postmaster's only message: admin alerts (scanner changes, outbreaks) go there too.
        assertThat(clients.awaitPostmasterMail("[Bulwark] virus: mail from mallory@forged.test quarantined")).contains((String) entry.get("id"));
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&sender=mallory@forged.test")
            .then().body("[0].details.kind", org.hamcrest.Matchers.equalTo("sender"))
            .body("[0].details.reason", org.hamcrest.Matchers.containsString("neither authenticated nor in an authorised network")));
        clients.webAdmin().get("/bulwark/events?kind=notice.sent&recipient=" + recipient).then()
            .body("details.kind", org.hamcrest.Matchers.hasItems("admin", "recipient"));
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void anAuthenticatedSenderIsToldButNotForListMail() throws Exception {
        String alice = james.addUser("notice-alice");
        String bob = james.addUser("notice-bob");
        clients.sendAuthenticated(alice, alice, bob, infected(alice, bob, "from alice"));
        String senderNotice = clients.awaitInboxMessage(alice, 1);
        assertThat(senderNotice).contains("Your message was not delivered: from alice").doesNotContain(TestSamples.EICAR);

        clients.sendAuthenticated(alice, alice, bob, infected(alice, bob, "list post")
            .replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nList-Id: <team.bulwark.test>\r\n"));
        clients.awaitQuarantined("list post");
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&sender=" + alice)
            .then().body("details.reason", org.hamcrest.Matchers.hasItem("mailing-list mail (List-Id)")));
        assertThat(clients.inboxCount(alice)).isEqualTo(1);
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aForgedLocalSenderGetsNoNotice() throws Exception {
        // MAIL FROM:<carol@bulwark.test> from outside, without AUTH: anyone can write that
        String carol = james.addUser("notice-carol");
        String dave = james.addUser("notice-dave");
        clients.send(carol, dave, infected(carol, dave, "forged carol"));
        clients.awaitQuarantined("forged carol");
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&sender=" + carol)
            .then().body("details.reason", org.hamcrest.Matchers.hasItem(
                "sender " + carol + " neither authenticated nor in an authorised network (it may be forged)")));
        // the recipient's notice arrived, the forged sender's never will
        clients.awaitInboxMessage(dave, 1);
        assertThat(clients.inboxCount(carol)).isZero();
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void textFromAHostileMailStaysOnOneLineInNoticesAndLogs() throws Exception {
        String erin = james.addUser("notice-erin");
        String phishing = "Your mailbox is full. Log in at http://phish.example/ within 24 hours";
        String subject = javax.mail.internet.MimeUtility.encodeText("Invoice\r\n\r\n" + phishing + "\r\n\u202Efdp.exe \u001b[31m", "UTF-8", "B");
        String message = infected("mallory@forged.test", erin, "placeholder")
            .replace("Subject: placeholder", "Subject: " + subject)
            .replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nAuto-Submitted: auto-replied\u001b[2J\r\n 2026-12-01 10:00:00 ERROR forged log line\r\n"
                + "X-Spam-Status\u001b[31m: forged\r\n");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger events = (Logger) LoggerFactory.getLogger("bulwark.events");
        Level eventsLevel = events.getLevel();
        log.start();
        root.addAppender(log);
        events.setLevel(Level.INFO);
        try {
            clients.send("mallory@forged.test", erin, message);
            String body = text(clients.awaitInboxMessage(erin, 1));
            assertThat(body.lines()).noneMatch(line -> line.startsWith("Your mailbox is full")).noneMatch(line -> line.contains("\u202E"))
                .anyMatch(line -> line.contains("Invoice " + phishing + " \uFFFDfdp.exe \uFFFD[31m"));
            AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&recipient=" + erin)
                .then().body("details.reason", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.startsWith("auto-submitted mail (auto-replied"))));
        } finally {
            root.detachAppender(log);
            events.setLevel(eventsLevel);
        }
        List<String> bulwarkLines = log.list.stream().filter(event -> event.getLoggerName().startsWith("dev.bulwark")
            || event.getLoggerName().startsWith("bulwark.")).map(ILoggingEvent::getFormattedMessage).toList();
        // the forged line is still there to read, escaped, in the notice mailet's line and in the event log's JSON
        assertThat(bulwarkLines).anyMatch(line -> line.contains("auto-submitted mail (auto-replied\\u001b[2J\\r\\n 2026-12-01 10:00:00 ERROR forged log line)"));
        assertThat(bulwarkLines).anyMatch(line -> line.startsWith("{") && line.contains("auto-replied\\u001B[2J\\r\\n 2026-12-01"));
        assertThat(bulwarkLines).allSatisfy(line -> assertThat(line).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u001b")
            .doesNotContain("\u202E"));
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void aBurstDoesNotFloodTheAdmin() throws Exception {
        String recipient = james.addUser("burst-target");
        for (int i = 0; i < 30; i++) {
            clients.send("worm@forged.test", recipient, infected("worm@forged.test", recipient, "burst " + i));
        }
        AWAIT.atMost(Duration.ofMinutes(2)).until(() -> clients.quarantine("recipient=" + recipient + "&limit=1000").size() == 30);
        // NotifyAdmin runs after the quarantine and events are stored in the background: counted once every mail's admin
        // notice is decided, sent or held back, and stored.
        AWAIT.untilAsserted(() -> assertThat(adminNotices("notice.sent", recipient) + adminNotices("notice.suppressed", recipient)).isEqualTo(30));
        assertThat(adminNotices("notice.suppressed", recipient)).isPositive();
        // 10 admin notices per minute at most (NotifyAdmin's default), whatever came before in this minute: the class's admin
        // notices, counted by their events (the postmaster's mailbox also gets outbreak alerts, which this burst raises, and
        // digests). The first window began after this James started; each later one at least a minute after the one before.
        long windows = Duration.ofNanos(System.nanoTime() - started).toMinutes() + 1;
        assertThat(adminNotices("notice.sent", "")).as("admin notices within %d window(s)", windows).isLessThanOrEqualTo(10 * windows);
    }

    /** Admin notices of this kind of event ({@code notice.sent}, {@code notice.suppressed}) for mail to {@code recipient}, or to anyone. */
    private long adminNotices(String kind, String recipient) {
        return clients.webAdmin().get("/bulwark/events?kind=" + kind + "&limit=1000" + (recipient.isEmpty() ? "" : "&recipient=" + recipient))
            .then().statusCode(200).extract().jsonPath().getList("findAll { it.details.kind == 'admin' }").size();
    }
}
