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
 * authorises no loopback network), never to a sender that may be forged, which the postmaster hears about instead;
 * every such mail is kept in the error repository.
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

    @Test
    void aFailedMailFromAnUnauthenticatedLocalSenderIsNotBouncedButKeptAndTheAdminTold() throws Exception {
        // MAIL FROM:<carol@bulwark.test> without AUTH: anyone can write that, and a bounce would land in carol's INBOX.
        String carol = james.addUser("error-carol");
        String dave = james.addUser("error-dave");
        clients.send(carol, dave, failing(carol, dave, "forged and failed"));

        String notice = clients.awaitPostmasterMail("forged and failed");
        assertThat(notice).contains("[error, not bounced]").contains("not authenticated");
        AWAIT.until(() -> keptInTheErrorRepository("forged and failed"));
        AWAIT.during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> clients.inboxCount(carol) == 0);
        assertThat(clients.inboxCount(dave)).as("the failed mail itself is not delivered").isZero();
    }

    @Test
    void aFailedMailFromAnAuthenticatedSenderIsBouncedToItAndKept() throws Exception {
        String alice = james.addUser("error-alice");
        String bob = james.addUser("error-bob");
        clients.sendAuthenticated(alice, alice, bob, failing(alice, bob, "authenticated and failed"));

        String bounce = clients.awaitInboxMessage(alice, 1);
        assertThat(bounce).contains("authenticated and failed");
        AWAIT.until(() -> keptInTheErrorRepository("authenticated and failed"));
        assertThat(clients.postmasterMail()).noneMatch(mail -> mail.contains("[error, not bounced] authenticated and failed"));
    }
}
