package dev.bulwark.it;

import static dev.bulwark.it.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> {
        Path sample = ProjectPaths.jamesConf().resolve("smtp-time-rejection/smtpserver.xml");
        try {
            Files.writeString(conf.file("smtpserver.xml"), Files.readString(sample).replace("0.0.0.0:25", "127.0.0.1:0"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        conf.setProperty("bulwark.properties", "clamd.endpoints", CLAMD.clamdAddress())
            .setProperty("bulwark.properties", "clamd.probeInterval", "500ms");
    });

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void start(BulwarkJames james) {
        this.james = james;
        clients = new MailClients(james);
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
        clients.webAdmin().get("/bulwark/events?kind=smtp.rejected&recipient=" + recipient).then().statusCode(200)
            .body("[0].details.code", org.hamcrest.Matchers.equalTo("554"));
    }

    @Test
    @Order(2)
    void mailTooBigToScanIsRefusedBeforeItIsAccepted() throws Exception {
        String recipient = james.addUser("smtp-oversize");
        byte[] big = new byte[26 * 1024 * 1024];
        new java.util.Random(26).nextBytes(big);
        Reply reply = send(recipient, TestSamples.messageWithAttachment(SENDER, recipient, "smtp oversize", "big.bin", big));

        // The sample's maxmessagesize matches clamd.maxStreamSize: James itself refuses what could not be scanned.
        assertThat(reply.code()).isEqualTo(552);
        assertThat(clients.inboxCount(recipient)).isZero();
        assertThat(clients.quarantine("recipient=" + recipient)).isEmpty();
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
