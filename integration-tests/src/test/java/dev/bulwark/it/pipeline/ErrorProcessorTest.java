package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.FailingMailet;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * The sample's {@code error} processor as shipped, in a real James: mail a mailet failed on (here a test-only
 * {@link FailingMailet} in root) is bounced only to a sender the server vouches for (SMTP AUTH; this James
 * authorises no loopback network), never to a sender that may be forged; every such mail is kept in the error
 * repository.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorProcessorTest {
    private static final String ERRORS = "var/mail/error";

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(FailingMailet::inRoot).withPostmaster();

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
        // The first webadmin call of a JVM is slow (REST Assured starts up): not inside a test's wait.
        clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200);
    }

    private static String failing(String from, String to, String subject) {
        return TestSamples.plainMessage(from, to, subject, "a mailet will fail on this")
            .replaceFirst("\r\n\r\n", "\r\n" + FailingMailet.HEADER + ": yes\r\n\r\n");
    }

    /** Whether the error repository holds a mail with this subject. */
    private boolean keptInTheErrorRepository(String subject) {
        return clients.repositoryKeys(ERRORS).stream().anyMatch(key -> clients.repositoryMessage(ERRORS, key).contains("Subject: " + subject));
    }

    /**
     * MAIL FROM:&lt;carol@bulwark.test&gt; without AUTH: anyone can write that, and a bounce would land in carol's INBOX.
     * Nor does the postmaster get a notice made of the mail: James's NotifyPostmaster would copy its subject, decoded,
     * into mail sent in the postmaster's name, so that this one's forged phishing line and right-to-left override would
     * reach the postmaster as lines of their own (they did, with NotifyPostmaster in the sample).
     */
    @Test
    void aFailedMailFromAnUnauthenticatedLocalSenderIsNotBouncedNotRelayedToThePostmasterButKept() throws Exception {
        String carol = james.addUser("error-carol");
        String dave = james.addUser("error-dave");
        String phishing = "Your mailbox is full. Log in at http://phish.example/ within 24 hours";
        String subject = javax.mail.internet.MimeUtility.encodeText("forged and failed\r\n\r\n" + phishing + "\r\n\u202Edesrever", "UTF-8", "B");
        clients.send(carol, dave, failing(carol, dave, "placeholder").replace("Subject: placeholder", "Subject: " + subject));

        AWAIT.until(() -> keptInTheErrorRepository(subject));
        AWAIT.during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> clients.inboxCount(carol) == 0);
        assertThat(clients.inboxCount(dave)).as("the failed mail itself is not delivered").isZero();
        assertThat(clients.postmasterMail()).map(ErrorProcessorTest::parsed).map(message -> subjectOf(message) + "\n" + bodyText(message))
            .noneMatch(text -> text.contains("forged and failed") || text.contains(phishing) || text.contains("\u202E"));
    }

    /** A message as IMAP FETCH returned it (the reply's first line off). */
    private static javax.mail.internet.MimeMessage parsed(String fetched) {
        try {
            return new javax.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(
                fetched.substring(fetched.indexOf('\n') + 1).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        } catch (javax.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String subjectOf(javax.mail.internet.MimeMessage message) {
        try {
            return String.valueOf(message.getSubject());
        } catch (javax.mail.MessagingException e) {
            return "";
        }
    }

    private static String bodyText(javax.mail.internet.MimeMessage message) {
        try {
            return bodyText(message.getContent());
        } catch (Exception e) {
            return "";
        }
    }

    private static String bodyText(Object content) throws Exception {
        if (content instanceof javax.mail.Multipart multipart) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < multipart.getCount(); i++) {
                Object part = multipart.getBodyPart(i).getContent();
                if (part instanceof String || part instanceof javax.mail.Multipart) {
                    text.append(bodyText(part)).append('\n');
                }
            }
            return text.toString();
        }
        return String.valueOf(content);
    }

    @Test
    void aFailedMailFromAnAuthenticatedSenderIsBouncedToItAndKept() throws Exception {
        String alice = james.addUser("error-alice");
        String bob = james.addUser("error-bob");
        clients.sendAuthenticated(alice, alice, bob, failing(alice, bob, "authenticated and failed"));

        String bounce = clients.awaitInboxMessage(alice, 1);
        assertThat(bounce).contains("authenticated and failed");
        AWAIT.until(() -> keptInTheErrorRepository("authenticated and failed"));
        assertThat(clients.postmasterMail()).noneMatch(mail -> mail.contains("authenticated and failed"));
    }
}
