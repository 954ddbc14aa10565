package dev.bulwark.it;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.TestIMAPClient;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import dev.bulwark.launcher.BulwarkJames;

import io.restassured.specification.RequestSpecification;

/** Talks to a BulwarkJames only as clients do: SMTP in, IMAP out, webadmin over HTTP. */
public final class MailClients {
    public static final ConditionFactory AWAIT = Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100));
    /** Repository paths as webadmin names them: the repository URL without its protocol. */
    public static final String QUARANTINE = "var/mail/quarantine";
    public static final String SCAN_FAILED = "var/mail/scan-failed";

    private final BulwarkJames james;

    public MailClients(BulwarkJames james) {
        this.james = james;
    }

    public void send(String from, String to, String message) throws IOException {
        try (SMTPMessageSender smtp = SMTPMessageSender.noAuthentication("127.0.0.1", james.smtpPort(), BulwarkJames.DOMAIN)) {
            smtp.sendMessageWithHeaders(from, to, message);
        }
    }

    public void send(String from, List<String> to, String message) throws IOException {
        try (SMTPMessageSender smtp = SMTPMessageSender.noAuthentication("127.0.0.1", james.smtpPort(), BulwarkJames.DOMAIN)) {
            smtp.sendMessageWithHeaders(from, to, message);
        }
    }

    /** Sends as a submitter authenticated with SMTP AUTH ({@code user} with {@link BulwarkJames#PASSWORD}). */
    public void sendAuthenticated(String user, String from, String to, String message) throws Exception {
        try (SMTPMessageSender smtp = SMTPMessageSender.authentication("127.0.0.1", james.smtpPort(), BulwarkJames.DOMAIN, user,
            BulwarkJames.PASSWORD)) {
            smtp.sendMessageWithHeaders(from, to, message);
        }
    }

    /** Quarantine entries, through {@code GET /bulwark/quarantine?query}, newest first. */
    public List<Map<String, Object>> quarantine(String query) {
        return webAdmin().get("/bulwark/quarantine" + (query.isEmpty() ? "" : "?" + query))
            .then().statusCode(200)
            .extract().jsonPath().getList("entries");
    }

    /** Waits for the quarantine entry of the mail with this subject and returns it. */
    public Map<String, Object> awaitQuarantined(String subject) {
        return AWAIT.until(() -> quarantine("").stream().filter(entry -> subject.equals(entry.get("subject"))).findFirst(),
            java.util.Optional::isPresent).orElseThrow();
    }

    /** Waits for a James task to end and returns its status. */
    public String awaitTask(String taskId) {
        return webAdmin().get("/tasks/" + taskId + "/await?timeout=30s")
            .then().statusCode(200)
            .extract().jsonPath().getString("status");
    }

    /** Waits for {@code user}'s INBOX to hold {@code count} messages and returns the first one, raw. */
    public String awaitInboxMessage(String user, int count) throws IOException {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort())
                .login(user, BulwarkJames.PASSWORD)
                .select(TestIMAPClient.INBOX)
                .awaitMessageCount(AWAIT, count);
            return imap.readFirstMessage();
        }
    }

    public long inboxCount(String user) throws IOException {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            return imap.connect("127.0.0.1", james.imapPort())
                .login(user, BulwarkJames.PASSWORD)
                .getMessageCount(TestIMAPClient.INBOX);
        }
    }

    /** Webadmin as an admin: with the token the sample's JWT authentication requires. */
    public RequestSpecification webAdmin() {
        return WebAdmin.request(james);
    }

    /** Webadmin without a token, as a stranger calls it. */
    public RequestSpecification anonymousWebAdmin() {
        return WebAdmin.anonymous(james);
    }

    /** Keys of the mails in a James mail repository, through {@code GET /mailRepositories/{path}/mails}. */
    public List<String> repositoryKeys(String repositoryPath) {
        return webAdmin().get("/mailRepositories/" + encode(repositoryPath) + "/mails")
            .then().statusCode(200)
            .extract().jsonPath().getList(".", String.class);
    }

    /** One stored mail as the raw message, through {@code GET /mailRepositories/{path}/mails/{key}}. */
    public String repositoryMessage(String repositoryPath, String key) {
        return webAdmin().accept("message/rfc822")
            .get("/mailRepositories/" + encode(repositoryPath) + "/mails/" + encode(key))
            .then().statusCode(200)
            .extract().asString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
