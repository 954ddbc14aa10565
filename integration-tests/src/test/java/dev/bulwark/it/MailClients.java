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
    /** The plain repository held mail falls back to when Bulwark's store cannot be written (rescan.repository). */
    public static final String HELD_FALLBACK = "var/mail/scan-failed";

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

    /** Delivers a message over LMTP (James's direct delivery to the mailbox, past the mailet pipeline). */
    public void lmtp(String from, String to, String message) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", james.lmtpPort())) {
            socket.setSoTimeout(30_000);
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                java.nio.charset.StandardCharsets.US_ASCII));
            java.io.OutputStream out = socket.getOutputStream();
            expect(in, "220");
            lmtpCommand(out, in, "LHLO client.test", "250");
            lmtpCommand(out, in, "MAIL FROM:<" + from + ">", "250");
            lmtpCommand(out, in, "RCPT TO:<" + to + ">", "250");
            lmtpCommand(out, in, "DATA", "354");
            String dotStuffed = message.replace("\r\n.", "\r\n..");
            lmtpCommand(out, in, dotStuffed + (dotStuffed.endsWith("\r\n") ? "" : "\r\n") + ".", "250");
            lmtpCommand(out, in, "QUIT", "221");
        }
    }

    private static void lmtpCommand(java.io.OutputStream out, java.io.BufferedReader in, String command, String expected) throws IOException {
        out.write((command + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.flush();
        expect(in, expected);
    }

    /** Reads a (possibly multi-line) reply and checks its code. */
    private static void expect(java.io.BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null || !line.startsWith(code)) {
                throw new IOException("LMTP: expected " + code + ", got " + line);
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
    }

    /** Appends a message to one of the user's mailboxes over IMAP, creating the mailbox when it is not INBOX. */
    public void append(String user, String mailbox, String message) throws IOException {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(user, BulwarkJames.PASSWORD);
            if (!mailbox.equals(TestIMAPClient.INBOX)) {
                imap.sendCommand("CREATE " + mailbox); // NO when it exists already: fine
            }
            imap.append(mailbox, message);
        }
    }

    public long messageCount(String user, String mailbox) throws IOException {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            return imap.connect("127.0.0.1", james.imapPort()).login(user, BulwarkJames.PASSWORD).getMessageCount(mailbox);
        }
    }

    /** Quarantine entries, through {@code GET /bulwark/quarantine?query}, newest first. */
    public List<Map<String, Object>> quarantine(String query) {
        return webAdmin().get("/bulwark/quarantine" + (query.isEmpty() ? "" : "?" + query))
            .then().statusCode(200)
            .extract().jsonPath().getList("entries");
    }

    /** Held mail (reason scan-failed or unscannable) not yet released, through {@code GET /bulwark/quarantine?reason=...}. */
    public List<Map<String, Object>> held(String reason) {
        return quarantine("reason=" + reason + "&limit=1000").stream()
            .filter(entry -> ((List<?>) entry.get("releases")).isEmpty())
            .toList();
    }

    /** Nothing held as scan-failed (in Bulwark's store or its fallback repository) and nothing in James's error repository. */
    public boolean nothingHeldForARescan() {
        return held("scan-failed").isEmpty() && repositoryKeys(HELD_FALLBACK).isEmpty();
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

    /** Waits for {@code user}'s INBOX to hold {@code count} messages and returns the first one's header, raw (big mail). */
    public String awaitInboxHeaders(String user, int count) throws IOException {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort())
                .login(user, BulwarkJames.PASSWORD)
                .select(TestIMAPClient.INBOX)
                .awaitMessageCount(AWAIT, count);
            return imap.readFirstMessageHeaders();
        }
    }

    /** The admin notices and alerts in the postmaster's INBOX (see {@link BulwarkJames#addPostmaster()}), each raw. */
    public List<String> postmasterMail() throws IOException {
        try (TestIMAPClient imap = new TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(BulwarkJames.POSTMASTER, BulwarkJames.PASSWORD).select(TestIMAPClient.INBOX);
            long count = imap.getMessageCount(TestIMAPClient.INBOX);
            List<String> messages = new java.util.ArrayList<>();
            for (long i = 1; i <= count; i++) {
                messages.add(imap.sendCommand("FETCH " + i + " (BODY.PEEK[])"));
            }
            return messages;
        }
    }

    /** Waits for an admin notice or alert whose subject contains {@code text} in the postmaster's INBOX, and returns it. */
    public String awaitPostmasterMail(String text) {
        return AWAIT.until(() -> postmasterMail().stream().filter(message -> message.contains("Subject: ") && subjectOf(message).contains(text))
            .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private static String subjectOf(String message) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(?m)^Subject: (.*(?:\r?\n[ \t].*)*)").matcher(message);
        return matcher.find() ? matcher.group(1).replaceAll("\r?\n[ \t]", " ") : "";
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

    /** Webadmin as an admin, sending {@code body} as JSON (Bulwark's routes take no other body). */
    public RequestSpecification webAdminJson(String body) {
        return webAdmin().contentType("application/json").body(body);
    }

    /** Changes the default policy (docs/policy.md) over webadmin: {@code change} edits the current document, which is put back whole. */
    public void changeDefaultPolicy(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> change) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode policy = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
            webAdmin().get("/bulwark/policies/default").then().statusCode(200).extract().asString()).get("policy");
        change.accept(policy);
        webAdminJson(json.writeValueAsString(policy)).put("/bulwark/policies/default").then().statusCode(200);
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
