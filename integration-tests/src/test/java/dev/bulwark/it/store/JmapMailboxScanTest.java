package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.Jmap;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * Store-level scanning over JMAP (RFC 8621), in a real James whose JMAP server this class turns on (the sample
 * leaves it off): a message a client puts into a mailbox with {@code Email/import} or builds with
 * {@code Email/set} reaches the mailbox past the SMTP pipeline, and the listener of james-conf/listeners.xml
 * scans it as it does an IMAP APPEND (MailboxScanTest): infected mail is taken out into the quarantine with its
 * owner and mailbox, a release puts it back where the client sees it, clean mail stays.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class JmapMailboxScanTest {
    private static final String SENDER = "mallory@outside.test";
    private static final Pattern SCANNED = Pattern.compile("(?m)^bulwark_mailbox_scanned\\S* (\\S+)$");

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(Jmap::enable);

    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
        // The first webadmin call of a JVM is slow (REST Assured starts up): not inside a test's 30-second wait.
        clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200);
    }

    private static byte[] eicar(String to, String subject) {
        return TestSamples.messageWithAttachment(SENDER, to, subject, "invoice.txt", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII))
            .getBytes(StandardCharsets.US_ASCII);
    }

    /** Messages store-level scanning sent to clamd so far (metric {@code bulwark_mailbox_scanned}). */
    private double scanned() {
        Matcher count = SCANNED.matcher(clients.webAdmin().get("/metrics").then().statusCode(200).extract().asString());
        return count.find() ? Double.parseDouble(count.group(1)) : 0;
    }

    @Test
    void eicarImportedOverJmapIsTakenOutKeptWithOwnerAndMailboxAndReleasedBackThere() throws Exception {
        String alice = james.addUser("jmap-import-alice");
        Jmap jmap = Jmap.as(james, alice);
        String inbox = jmap.mailboxId("inbox");

        jmap.importEmail(jmap.upload("message/rfc822", eicar(alice, "imported eicar")), inbox);

        Map<String, Object> entry = clients.awaitQuarantined("imported eicar");
        assertThat(entry).containsEntry("reason", "virus").containsEntry("origin", Map.of("owner", alice, "mailbox", "INBOX", "actor", alice));
        assertThat((List<String>) entry.get("recipients")).containsExactly(alice);
        assertThat((List<String>) entry.get("virusNames")).singleElement().asString().startsWith("Bulwark-Test.EICAR");
        AWAIT.untilAsserted(() -> assertThat(jmap.subjectsIn(inbox)).isEmpty());

        clients.webAdminJson("{\"all\": true}").post("/bulwark/quarantine/" + entry.get("id") + "/release").then().statusCode(200)
            .body("releases[0].recipients", equalTo(List.of(alice)));

        AWAIT.untilAsserted(() -> assertThat(jmap.subjectsIn(inbox)).containsExactly("imported eicar"));
        // The release is stamped: the message put back is not taken out again.
        AWAIT.during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> jmap.subjectsIn(inbox).size() == 1);
        assertThat(clients.quarantine("recipient=" + alice)).hasSize(1);
    }

    /**
     * The actor: on a mailbox its owner shared (IMAP SETACL), the message another user imports is taken out of the
     * owner's mailbox, and the entry, its webadmin view and the events name the importer beside the owner.
     */
    @Test
    void eicarImportedIntoASharedMailboxRecordsWhoImportedIt() throws Exception {
        String owner = james.addUser("jmap-shared-owner");
        String helper = james.addUser("jmap-shared-helper");
        clients.share(owner, "Shared", helper, "lrswi");
        String shared = Jmap.as(james, owner).mailboxIdNamed("Shared");
        Jmap jmap = Jmap.as(james, helper);

        jmap.importEmail(jmap.upload("message/rfc822", eicar(owner, "shared eicar")), shared);

        Map<String, Object> entry = clients.awaitQuarantined("shared eicar");
        assertThat(entry).containsEntry("origin", Map.of("owner", owner, "mailbox", "Shared", "actor", helper));
        assertThat((List<String>) entry.get("recipients")).containsExactly(owner);
        AWAIT.untilAsserted(() -> assertThat(clients.messageCount(owner, "Shared")).isZero());
        String id = (String) entry.get("id");
        clients.webAdmin().get("/bulwark/quarantine/" + id).then().statusCode(200)
            .body("origin.owner", equalTo(owner)).body("origin.actor", equalTo(helper));
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=quarantine.stored&recipient=" + owner).then().statusCode(200)
            .body("[0].details.quarantineId", equalTo(id))
            .body("[0].details.owner", equalTo(owner))
            .body("[0].details.actor", equalTo(helper)));
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=verdict.infected&recipient=" + owner).then().statusCode(200)
            .body("[0].details.actor", equalTo(helper)));
    }

    @Test
    void anEmailCreatedOverJmapWithAnEicarAttachmentIsTakenOut() throws Exception {
        String bob = james.addUser("jmap-set-bob");
        Jmap jmap = Jmap.as(james, bob);
        String inbox = jmap.mailboxId("inbox");
        String attachment = jmap.upload("application/octet-stream", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));

        jmap.createEmail(Map.of(
            "mailboxIds", Map.of(inbox, true),
            "subject", "created with eicar",
            "from", List.of(Map.of("email", bob)),
            "to", List.of(Map.of("email", bob)),
            "textBody", List.of(Map.of("partId", "text", "type", "text/plain")),
            "bodyValues", Map.of("text", Map.of("value", "the invoice is attached")),
            "attachments", List.of(Map.of("blobId", attachment, "type", "application/octet-stream", "name", "invoice.txt",
                "disposition", "attachment"))));

        Map<String, Object> entry = clients.awaitQuarantined("created with eicar");
        assertThat(entry).containsEntry("reason", "virus").containsEntry("origin", Map.of("owner", bob, "mailbox", "INBOX", "actor", bob));
        assertThat((List<String>) entry.get("virusNames")).singleElement().asString().startsWith("Bulwark-Test.EICAR");
        AWAIT.untilAsserted(() -> assertThat(jmap.subjectsIn(inbox)).isEmpty());
    }

    @Test
    void aCleanImportStays() throws Exception {
        String dave = james.addUser("jmap-clean-dave");
        Jmap jmap = Jmap.as(james, dave);
        String inbox = jmap.mailboxId("inbox");

        double scannedBefore = scanned();
        jmap.importEmail(jmap.upload("message/rfc822",
            TestSamples.plainMessage(SENDER, dave, "clean import", "nothing to see").getBytes(StandardCharsets.US_ASCII)), inbox);

        // It was scanned (not merely left alone), and stays.
        AWAIT.untilAsserted(() -> assertThat(scanned()).isGreaterThan(scannedBefore));
        AWAIT.during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> jmap.subjectsIn(inbox).equals(List.of("clean import")));
        assertThat(clients.quarantine("recipient=" + dave)).isEmpty();
    }
}
