package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.BigMessages;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.SmtpTimeRejection;

/**
 * james-conf/smtp-time-rejection/smtpserver.xml in the real James: infected mail and heavy spam are
 * refused during the SMTP transaction, a clamd outage is a temporary failure the client retries, and
 * accepted mail is not scanned a second time. This James has its own clamd, so it can be stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SmtpRejectionTest {
    private static final String SENDER = "remote@outside.test";

    /** This James's clamd, stopped and started again by the outage test. */
    @RegisterExtension
    @Order(1)
    static final PrivateScanners CLAMD = PrivateScanners.onFreePorts();

    @RegisterExtension
    @Order(2)
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> SmtpTimeRejection.sample(conf)
        .setProperty("bulwark.properties", "clamd.endpoints", CLAMD.clamdAddress())
        .setProperty("bulwark.properties", "clamd.probeInterval", "500ms"));

    private BulwarkJames james;
    private MailClients clients;

    /** Not the constructor's parameters: those would start James before the scanners' extension has run. */
    @BeforeAll
    void start(BulwarkJames james, MailClients clients) {
        this.james = james;
        this.clients = clients;
    }

    @Test
    @Order(1)
    void infectedMailIsRefusedWithTheVirusNameAndNeitherStoredNorDelivered() throws Exception {
        String recipient = james.addUser("smtp-virus");
        Reply reply = send(recipient, TestSamples.messageWithAttachment(SENDER, recipient, "smtp virus", "x.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));

        assertThat(reply.code()).isEqualTo(554);
        assertThat(reply.text()).contains("5.7.1").contains("Bulwark-Test.EICAR");
        assertThat(clients.quarantine("recipient=" + recipient)).isEmpty();
        assertThat(clients.inboxCount(recipient)).isZero();
        // Events are stored in the background: the SMTP reply may come first.
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=smtp.rejected&recipient=" + recipient).then().statusCode(200)
            .body("[0].details.code", org.hamcrest.Matchers.equalTo("554")));
    }

    /**
     * The sample accepts 35 MB: a 20 MB attachment (28 MB encoded) is scanned part by part during the
     * transaction and accepted, and the pipeline does not scan it again; a part over clamd's 25M is refused
     * (552 5.3.4) before James accepts the mail; over 35 MB James itself refuses it (552).
     */
    @Test
    @Order(2)
    void bigMailIsScannedByPartsAndOnlyWhatCannotBeScannedIsRefused() throws Exception {
        String recipient = james.addUser("smtp-big");
        BigMessages.Reply accepted = BigMessages.send(james.smtpPort(), SENDER, recipient, "smtp big", out -> {
            BigMessages.part(out, "text/plain", null, "7bit");
            out.write("attached\r\n");
            BigMessages.part(out, "application/octet-stream", "figures.bin", "base64");
            BigMessages.base64(out, new java.util.Random(28), 20L * 1024 * 1024);
        });
        assertThat(accepted.code()).as(accepted.text()).isEqualTo(250);
        assertThat(accepted.size()).isGreaterThan(25L * 1024 * 1024);
        assertThat(AWAIT.atMost(java.time.Duration.ofMinutes(2)).until(() -> clients.inboxCount(recipient) == 1
            ? clients.awaitInboxHeaders(recipient, 1) : null, java.util.Objects::nonNull))
            .containsPattern("X-Bulwark-Virus: clean \\(ClamAV [^)]*, 3 parts scanned one by one\\)");
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?recipient=" + recipient).then().statusCode(200)
            .body("kind", org.hamcrest.Matchers.hasItems("verdict.clean", "verdict.reused"))
            .body("find { it.kind == 'verdict.clean' }.details.stage", org.hamcrest.Matchers.equalTo("smtp"))
            .body("find { it.kind == 'verdict.clean' }.details.scanMode", org.hamcrest.Matchers.equalTo("parts")));

        String tooLarge = james.addUser("smtp-part-too-large");
        BigMessages.Reply refused = BigMessages.send(james.smtpPort(), SENDER, tooLarge, "smtp part too large", out -> {
            BigMessages.part(out, "text/plain", "log.txt", "7bit");
            BigMessages.text(out, 26L * 1024 * 1024);
        });
        assertThat(refused.code()).isEqualTo(552);
        assertThat(refused.text()).contains("5.3.4").contains("too large to be scanned");

        String oversize = james.addUser("smtp-oversize");
        BigMessages.Reply overLimit = BigMessages.send(james.smtpPort(), SENDER, oversize, "smtp oversize", out -> {
            BigMessages.part(out, "application/octet-stream", "big.bin", "base64");
            BigMessages.base64(out, new java.util.Random(36), 27L * 1024 * 1024);
        });
        // The sample's maxmessagesize (35 MB): James refuses it, Bulwark never sees it.
        assertThat(overLimit.code()).as(overLimit.text()).isEqualTo(552);
        assertThat(overLimit.text()).doesNotContain("5.3.4");
        for (String user : List.of(tooLarge, oversize)) {
            assertThat(clients.inboxCount(user)).isZero();
            assertThat(clients.quarantine("recipient=" + user)).isEmpty();
        }
    }

    @Test
    @Order(2)
    void heavySpamIsRefused() throws Exception {
        String recipient = james.addUser("smtp-spam");
        Reply reply = send(recipient, TestSamples.plainMessage(SENDER, recipient, "smtp spam", TestSamples.GTUBE));

        assertThat(reply.code()).isEqualTo(550);
        assertThat(reply.text()).contains("5.7.1 Rejected as spam");
        assertThat(clients.inboxCount(recipient)).isZero();
    }

    @Test
    @Order(3)
    void cleanMailIsAcceptedAndScannedOnlyOnce() throws Exception {
        String recipient = james.addUser("smtp-clean");
        String message = TestSamples.plainMessage(SENDER, recipient, "smtp clean", "hello");
        assertThat(send(recipient, message).code()).isEqualTo(250);

        assertThat(clients.awaitInboxMessage(recipient, 1)).contains("X-Bulwark-Virus: clean").contains("X-Spam-Flag: NO");
        JsonPath trace = AWAIT.until(() -> clients.webAdmin().queryParam("messageId", messageId(message)).urlEncodingEnabled(true)
            .get("/bulwark/trace").then().statusCode(200).extract().jsonPath(), json -> json.getList("events.kind").contains("spam.reused"));
        assertThat(trace.getList("events.kind", String.class)).containsExactly("verdict.clean", "spam.ham", "verdict.reused", "spam.reused");
        assertThat(trace.getString("events[0].details.stage")).isEqualTo("smtp");
    }

    @Test
    @Order(4)
    void aClamdOutageIsATemporaryFailureAndTheRetryIsAccepted() throws Exception {
        String recipient = james.addUser("smtp-retry");
        String message = TestSamples.plainMessage(SENDER, recipient, "smtp retry", "hello");
        CLAMD.stop();

        Reply refused = send(recipient, message);
        assertThat(refused.code()).isEqualTo(451);
        assertThat(refused.text()).contains("4.7.1");
        assertThat(clients.inboxCount(recipient)).isZero();

        CLAMD.start();
        // The sending server retries; once the pool has clamd back in service the mail is accepted.
        AWAIT.until(() -> send(recipient, message).code() == 250);
        assertThat(clients.awaitInboxMessage(recipient, 1)).contains("Subject: smtp retry");
    }

    private record Reply(int code, String text) {
    }

    private Reply send(String recipient, String message) throws IOException {
        SMTPClient smtp = new SMTPClient();
        smtp.connect("127.0.0.1", james.smtpPort());
        try {
            smtp.helo("outside.test");
            smtp.setSender(SENDER);
            smtp.addRecipient(recipient);
            smtp.sendShortMessageData(message);
            return new Reply(smtp.getReplyCode(), smtp.getReplyString());
        } finally {
            smtp.disconnect();
        }
    }

    private static String messageId(String message) {
        Matcher matcher = Pattern.compile("(?m)^Message-ID: (\\S+)\r?$").matcher(message);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

}
