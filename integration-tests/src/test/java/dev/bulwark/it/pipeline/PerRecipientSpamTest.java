package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * SpamCheck's {@code perRecipient} and {@code subjectTag} against a real spamd that knows per-user
 * preferences (spamd {@code --virtual-config-dir}, through scripts/scanners.sh): one recipient whose
 * SpamAssassin preferences call everything spam ({@code required_score -1}), one with the defaults.
 * Their verdicts differ, so the mail is split: each gets its own headers, and only the strict one's copy
 * has the tagged subject. This class runs its own clamd and spamd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class PerRecipientSpamTest {
    private static final String SENDER = "newsletter@outside.test";
    private static final String STRICT = "spam-strict@" + BulwarkJames.DOMAIN;
    private static final String RELAXED = "spam-relaxed@" + BulwarkJames.DOMAIN;

    @RegisterExtension
    @Order(1)
    static final PrivateScanners SCANNERS = PrivateScanners.onFreePorts().withSpamdUserPrefs(folder ->
        Files.writeString(Files.createDirectories(folder.resolve(STRICT)).resolve("user_prefs"), "required_score -1.0\n"));

    @RegisterExtension
    @Order(2)
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "clamd.endpoints", SCANNERS.clamdAddress())
        .setProperty("bulwark.properties", "spamd.endpoints", SCANNERS.spamdAddress())
        .replace("mailetcontainer.xml", "<mailet match=\"All\" class=\"dev.bulwark.mailets.SpamCheck\"/>\n",
            "<mailet match=\"All\" class=\"dev.bulwark.mailets.SpamCheck\">\n"
                + "                <perRecipient>true</perRecipient>\n"
                + "                <subjectTag>[SPAM]</subjectTag>\n"
                + "            </mailet>\n"));

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void start(BulwarkJames james) throws Exception {
        this.james = james;
        clients = new MailClients(james);
        james.addUser("spam-strict");
        james.addUser("spam-relaxed");
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void recipientsWhosePreferencesDisagreeGetTheirOwnVerdictAndOnlySpamIsTagged() throws Exception {
        // An encoded subject: the tag must keep its encoding.
        String message = TestSamples.plainMessage(SENDER, RELAXED, "=?UTF-8?Q?Caf=C3=A9_news?=", "The menu of the week.");
        clients.send(SENDER, List.of(STRICT, RELAXED), message);

        String strict = clients.awaitInboxMessage(STRICT, 1);
        String relaxed = clients.awaitInboxMessage(RELAXED, 1);
        assertThat(strict).contains("X-Spam-Flag: YES").containsPattern("X-Spam-Status: Yes, score=-?[0-9.]+ required=-1\\.0")
            .contains("X-Bulwark-Virus: clean");
        assertThat(subject(strict)).isEqualTo("[SPAM] Caf\u00e9 news");
        assertThat(relaxed).contains("X-Spam-Flag: NO").containsPattern("X-Spam-Status: No, score=-?[0-9.]+ required=5\\.0").contains("X-Bulwark-Virus: clean");
        assertThat(subject(relaxed)).isEqualTo("Caf\u00e9 news");

        // Split: the mail kept the first recipient's verdict, a copy went on with the other's, neither scanned twice.
        assertThat(kinds(STRICT, "spam.spam")).contains("verdict.clean").doesNotContain("spam.ham");
        assertThat(kinds(RELAXED, "spam.reused")).contains("verdict.clean", "spam.ham", "verdict.reused").doesNotContain("spam.spam");
    }

    /** The kinds of the events naming {@code recipient}, once one of kind {@code awaited} is there. */
    private List<String> kinds(String recipient, String awaited) {
        return AWAIT.until(() -> clients.webAdmin().get("/bulwark/events?recipient=" + recipient).then().statusCode(200)
            .extract().jsonPath().getList("kind", String.class), kinds -> kinds.contains(awaited));
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void realSpamIsTaggedForEveryRecipientWithoutASplit() throws Exception {
        clients.send(SENDER, List.of(STRICT, RELAXED), TestSamples.plainMessage(SENDER, RELAXED, "You have won", TestSamples.GTUBE));

        for (String recipient : List.of(STRICT, RELAXED)) {
            String delivered = AWAIT.until(() -> clients.inboxCount(recipient) == 2 ? inbox(recipient) : null, java.util.Objects::nonNull);
            assertThat(delivered).contains("Subject: [SPAM] You have won").contains("X-Spam-Flag: YES").contains("GTUBE");
        }
    }

    /** The Subject header of a raw message, unfolded and decoded (RFC 2047). */
    private static String subject(String raw) throws Exception {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(?m)^Subject: (.*(?:\\r?\\n[ \\t].*)*)").matcher(raw);
        assertThat(matcher.find()).as("a Subject header in " + raw).isTrue();
        return javax.mail.internet.MimeUtility.decodeText(matcher.group(1).replaceAll("\\r?\\n[ \\t]+", " ").trim());
    }

    /** Every message of the INBOX, raw, in one IMAP answer. */
    private String inbox(String user) throws Exception {
        try (org.apache.james.utils.TestIMAPClient imap = new org.apache.james.utils.TestIMAPClient()) {
            imap.connect("127.0.0.1", james.imapPort()).login(user, BulwarkJames.PASSWORD).select(org.apache.james.utils.TestIMAPClient.INBOX);
            return imap.sendCommand("FETCH 1:* (BODY.PEEK[])");
        }
    }
}
