package dev.bulwark.it.admin;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.PrivateFiles;
import dev.bulwark.it.fixtures.Scripts;

/** The quarantine over webadmin, in a real James with real clamd: metadata, listing, download, release, deletion. */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class QuarantineTest {
    private static final String SENDER = "mallory@outside.test";
    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
    }

    private String infected(String to, String subject) {
        return TestSamples.messageWithAttachment(SENDER, to, subject, "invoice.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void eicarArrivesWithFullMetadataAndItsExactBytes() throws Exception {
        String alice = james.addUser("meta-alice");
        String bob = james.addUser("meta-bob");
        String sent = infected(alice, "metadata check");
        clients.send(SENDER, List.of(alice, bob), sent);

        Map<String, Object> entry = clients.awaitQuarantined("metadata check");
        String id = (String) entry.get("id");
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(entry).containsEntry("reason", "virus").containsEntry("sender", SENDER)
            .containsEntry("remoteAddress", "127.0.0.1");
        assertThat((List<String>) entry.get("recipients")).containsExactly(alice, bob);
        assertThat((List<String>) entry.get("virusNames")).singleElement().asString().startsWith("Bulwark-Test.EICAR");
        assertThat((String) entry.get("messageId")).startsWith("<att.");
        assertThat(((Number) entry.get("size")).longValue()).isGreaterThan(sent.length());
        assertThat(Duration.between(Instant.parse((String) entry.get("quarantinedAt")), Instant.parse((String) entry.get("expiresAt"))))
            .isEqualTo(Duration.ofDays(30));
        assertThat((Map<String, String>) entry.get("verdict")).containsEntry("bulwark.virus.status", "INFECTED")
            .containsKeys("bulwark.virus.endpoint", "bulwark.virus.engine", "bulwark.virus.scanTime");
        assertThat((List<Object>) entry.get("releases")).isEmpty();
        clients.webAdmin().get("/bulwark/quarantine/" + id).then().statusCode(200).body("id", equalTo(id));

        byte[] eml = clients.webAdmin().get("/bulwark/quarantine/" + id + "/eml")
            .then().statusCode(200).contentType("message/rfc822")
            .header("Content-Disposition", containsString(id + ".eml"))
            .extract().asByteArray();
        // James's own trace header on top, then the message byte for byte as the sender wrote it.
        String download = new String(eml, StandardCharsets.US_ASCII);
        assertThat(download).endsWith(sent);
        assertThat(download.substring(0, download.length() - sent.length())).matches("(?s)Received: [^\\n]*\\r\\n([ \\t][^\\n]*\\r\\n)*");

        Map<String, Object> structure = clients.webAdmin().get("/bulwark/quarantine/" + id + "/structure")
            .then().statusCode(200).extract().jsonPath().getMap(".");
        assertThat((List<Map<String, String>>) structure.get("headers")).contains(Map.of("name", "Subject", "value", "metadata check"));
        Map<String, Object> root = (Map<String, Object>) structure.get("root");
        assertThat((String) root.get("contentType")).startsWith("multipart/mixed");
        assertThat((List<Map<String, Object>>) root.get("parts")).extracting(part -> part.get("fileName")).containsExactly(null, "invoice.com");
        assertThat(download).doesNotContain("X-Bulwark-Virus");
        assertThat(clients.inboxCount(alice)).isZero();
    }

    @Test
    void listsWithFiltersAndPaging() throws Exception {
        String carol = james.addUser("list-carol");
        String dave = james.addUser("list-dave");
        clients.send(SENDER, carol, infected(carol, "list one"));
        Map<String, Object> first = clients.awaitQuarantined("list one");
        clients.send("other@elsewhere.test", dave, TestSamples.messageWithAttachment("other@elsewhere.test", dave, "list two", "a.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        Map<String, Object> second = clients.awaitQuarantined("list two");

        assertThat(subjects("recipient=" + carol)).containsExactly("list one");
        assertThat(subjects("recipient=" + dave.toUpperCase())).containsExactly("list two");
        assertThat(subjects("sender=%40elsewhere.test")).containsExactly("list two");
        assertThat(subjects("virus=eicar&recipient=%40bulwark.test")).contains("list one", "list two");
        assertThat(subjects("reason=suspicious&recipient=" + carol)).isEmpty();
        assertThat(subjects("after=" + second.get("quarantinedAt") + "&recipient=%40bulwark.test")).contains("list two").doesNotContain("list one");
        assertThat(subjects("before=" + second.get("quarantinedAt") + "&recipient=" + carol)).containsExactly("list one");

        Map<String, Object> page = clients.webAdmin().get("/bulwark/quarantine?sender=" + SENDER + "&limit=1&offset=0")
            .then().statusCode(200).extract().jsonPath().getMap(".");
        assertThat(((Number) page.get("total")).intValue()).isGreaterThanOrEqualTo(1);
        assertThat((List<Object>) page.get("entries")).hasSize(1);
        List<String> all = subjects("recipient=%40bulwark.test");
        assertThat(subjects("recipient=%40bulwark.test&limit=1&offset=1")).containsExactly(all.get(1));
        assertThat(first.get("id")).isNotEqualTo(second.get("id"));

        Map<String, Object> counts = clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200).extract().jsonPath().getMap(".");
        assertThat(counts).containsKeys("virus", "suspicious", "banned", "spam", "scan-failed", "policy", "total");
        assertThat(((Number) counts.get("virus")).intValue()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void releaseToOneOfTwoRecipientsDeliversToThatInboxOnlyAndOnlyOnce() throws Exception {
        String erin = james.addUser("release-erin");
        String frank = james.addUser("release-frank");
        clients.send(SENDER, List.of(erin, frank), infected(erin, "release me"));
        String id = (String) clients.awaitQuarantined("release me").get("id");
        long quarantinedBefore = quarantineTotal();

        json("{\"recipients\": [\"" + erin + "\"]}").post("/bulwark/quarantine/" + id + "/release")
            .then().statusCode(200)
            .body("releases[0].recipients", equalTo(List.of(erin)))
            .body("releases[0].releasedBy", equalTo(BulwarkJames.ADMIN_SUBJECT));

        String delivered = clients.awaitInboxMessage(erin, 1);
        assertThat(delivered).contains("Subject: release me").contains("invoice.com");
        assertThat(clients.inboxCount(frank)).isZero();
        assertThat(quarantineTotal()).isEqualTo(quarantinedBefore);

        json("{\"recipients\": [\"" + erin + "\"]}").post("/bulwark/quarantine/" + id + "/release")
            .then().statusCode(409).body("type", equalTo("WrongState")).body("message", containsString("already released to " + erin));
        json("{\"recipients\": [\"stranger@outside.test\"]}").post("/bulwark/quarantine/" + id + "/release")
            .then().statusCode(400).body("message", containsString("'stranger@outside.test' is not a recipient"));
        json("{\"recipients\": ").post("/bulwark/quarantine/" + id + "/release")
            .then().statusCode(400).body("type", equalTo("InvalidArgument"));
        // Only one copy arrived, and the other recipient still has nothing.
        assertThat(clients.inboxCount(erin)).isEqualTo(1);
        assertThat(clients.inboxCount(frank)).isZero();
        // The release is a security event naming who released it.
        clients.webAdmin().get("/bulwark/events?kind=quarantine.released&recipient=" + erin)
            .then().statusCode(200)
            .body("size()", equalTo(1))
            .body("[0].details.quarantineId", equalTo(id))
            .body("[0].details.releasedBy", equalTo(BulwarkJames.ADMIN_SUBJECT))
            .body("[0].sender", equalTo(SENDER));
    }

    /**
     * The release as users really send it: curl's {@code -d} is a form body, which James's request logging
     * reads (and empties) before the route; it used to release to every recipient. Releasing to all is
     * asked for, and no mistaken body releases anything.
     */
    @Test
    void aReleaseGoesOnlyWhereTheBodySaysAndAFormBodyIsRefused() throws Exception {
        String kate = james.addUser("curl-kate");
        String liam = james.addUser("curl-liam");
        String mona = james.addUser("curl-mona");
        clients.send(SENDER, List.of(kate, liam, mona), infected(kate, "release with curl"));
        String id = (String) clients.awaitQuarantined("release with curl").get("id");
        String release = "http://127.0.0.1:" + james.webAdminPort() + "/bulwark/quarantine/" + id + "/release";
        String auth = "Authorization: Bearer " + james.adminToken();

        // As the docs used to show it: curl -X POST URL -d '{"recipients": [...]}' (Content-Type: application/x-www-form-urlencoded).
        Scripts.HttpAnswer form = Scripts.curl("-X", "POST", release, "-H", auth, "-d", "{\"recipients\": [\"" + kate + "\"]}");
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.body()).contains("Content-Type: application/json");
        // ...whatever the spelling of the path that the router still takes for the same route.
        for (String path : List.of("//bulwark/quarantine/" + id + "/release", "/bulwark//quarantine/" + id + "/release")) {
            Scripts.HttpAnswer doubled = Scripts.curl("--path-as-is", "-X", "POST", "http://127.0.0.1:" + james.webAdminPort() + path, "-H", auth,
                "-d", "{\"recipients\": [\"" + kate + "\"]}");
            assertThat(doubled.status()).as(path + ": " + doubled.body()).isIn(404, 415);
        }
        for (String body : List.of("", "{}", "{\"recipients\": []}", "{\"all\": false}", "{\"recipients\": [\"" + kate + "\"], \"all\": true}",
            "{\"recipients\": [\"nobody@outside.test\"]}", "{\"recipients\": [\"" + kate + "\", \"nobody@outside.test\"]}", "null")) {
            Scripts.HttpAnswer refused = Scripts.curl("-X", "POST", release, "-H", auth, "-H", "Content-Type: application/json", "-d", body);
            assertThat(refused.status()).as("body %s: %s", body, refused.body()).isEqualTo(400);
            if (body.contains("nobody@")) {
                assertThat(refused.body()).contains("'nobody@outside.test' is not a recipient");
            }
        }
        assertThat(clients.webAdmin().get("/bulwark/quarantine/" + id).then().extract().jsonPath().getList("releases")).isEmpty();

        Scripts.HttpAnswer one = Scripts.curl("-X", "POST", release, "-H", auth, "-H", "Content-Type: application/json", "-d", "{\"recipients\": [\"" + kate + "\"]}");
        assertThat(one.status()).as(one.body()).isEqualTo(200);
        assertThat(clients.awaitInboxMessage(kate, 1)).contains("Subject: release with curl");
        Scripts.HttpAnswer rest = Scripts.curl("-X", "POST", release, "-H", auth, "-H", "Content-Type: application/json", "-d", "{\"all\": true}");
        assertThat(rest.status()).as(rest.body()).isEqualTo(200);
        clients.awaitInboxMessage(liam, 1);
        clients.awaitInboxMessage(mona, 1);
        assertThat(clients.inboxCount(kate)).as("all means all not yet released: Kate gets no second copy").isEqualTo(1);
        assertThat(clients.webAdmin().get("/bulwark/quarantine/" + id).then().extract().jsonPath().<List<String>>getList("releases.recipients"))
            .containsExactly(List.of(kate), List.of(liam, mona));
    }

    /** Quarantined mail, James's other mail folders and the security store are owner-only, whatever the umask. */
    @Test
    void quarantinedMailAndTheSecurityStoreAreOwnerOnlyOnDisk() throws Exception {
        String nina = james.addUser("private-nina");
        clients.send(SENDER, nina, infected(nina, "private entry"));
        clients.awaitQuarantined("private entry");

        Path var = james.workDir().resolve("var");
        assertThat(PrivateFiles.assertOwnerOnlyFolder(var.resolve("mail/quarantine"))).hasSizeGreaterThanOrEqualTo(2);
        for (String held : List.of("mail/scan-failed", "mail/unscannable", "mail/error")) {
            if (java.nio.file.Files.exists(var.resolve(held))) {
                PrivateFiles.assertOwnerOnlyFolder(var.resolve(held));
            }
        }
        assertThat(PrivateFiles.assertOwnerOnlyFolder(var.resolve("bulwark")))
            .extracting(path -> path.getFileName().toString()).contains("security.db");
    }

    @Test
    void deleteOneAndDeleteByFilterAsATask() throws Exception {
        String gina = james.addUser("delete-gina");
        clients.send(SENDER, gina, infected(gina, "delete one"));
        clients.send(SENDER, gina, infected(gina, "delete two"));
        String one = (String) clients.awaitQuarantined("delete one").get("id");
        clients.awaitQuarantined("delete two");

        clients.webAdmin().delete("/bulwark/quarantine/" + one).then().statusCode(204);
        clients.webAdmin().get("/bulwark/events?kind=quarantine.deleted&recipient=" + gina)
            .then().statusCode(200).body("[0].details.quarantineId", equalTo(one));
        clients.webAdmin().delete("/bulwark/quarantine/" + one).then().statusCode(404).body("type", equalTo("notFound"));
        assertThat(subjects("recipient=" + gina)).containsExactly("delete two");

        String taskId = clients.webAdmin().delete("/bulwark/quarantine?recipient=" + gina)
            .then().statusCode(201).header("Location", containsString("/tasks/"))
            .extract().jsonPath().getString("taskId");
        assertThat(clients.awaitTask(taskId)).isEqualTo("completed");
        clients.webAdmin().get("/tasks/" + taskId).then().body("type", equalTo("bulwark-quarantine-deletion"));
        assertThat(subjects("recipient=" + gina)).isEmpty();
    }

    @Test
    void purgeRunsAsATaskAndKeepsEntriesThatHaveNotExpired() throws Exception {
        String hank = james.addUser("purge-hank");
        clients.send(SENDER, hank, infected(hank, "not yet expired"));
        clients.awaitQuarantined("not yet expired");

        String taskId = clients.webAdmin().post("/bulwark/quarantine?action=purge")
            .then().statusCode(201).extract().jsonPath().getString("taskId");

        assertThat(clients.awaitTask(taskId)).isEqualTo("completed");
        clients.webAdmin().get("/tasks/" + taskId).then().body("type", equalTo("bulwark-quarantine-purge"));
        assertThat(subjects("recipient=" + hank)).containsExactly("not yet expired");
    }

    @Test
    void badIdsAndFiltersAnswer400Or404AndChangeNothing() throws Exception {
        String ivan = james.addUser("bad-ivan");
        clients.send(SENDER, ivan, infected(ivan, "stays put"));
        clients.awaitQuarantined("stays put");
        long before = quarantineTotal();

        clients.webAdmin().get("/bulwark/quarantine/..%2F..%2Fetc%2Fpasswd").then().statusCode(400)
            .body("statusCode", equalTo(400)).body("type", equalTo("InvalidArgument")).body("message", containsString("invalid quarantine id"));
        clients.webAdmin().delete("/bulwark/quarantine/a%20b").then().statusCode(400);
        clients.webAdmin().post("/bulwark/quarantine/..%2Fx/release").then().statusCode(400);
        clients.webAdmin().get("/bulwark/quarantine/00000000-0000-0000-0000-000000000000").then().statusCode(404).body("type", equalTo("notFound"));
        clients.webAdmin().get("/bulwark/quarantine/00000000-0000-0000-0000-000000000000/eml").then().statusCode(404);
        json("{\"all\": true}").post("/bulwark/quarantine/00000000-0000-0000-0000-000000000000/release").then().statusCode(404);
        clients.webAdmin().get("/bulwark/quarantine?reason=virsu").then().statusCode(400).body("message", containsString("expected one of [virus"));
        clients.webAdmin().get("/bulwark/quarantine?after=yesterday").then().statusCode(400).body("message", containsString("ISO-8601"));
        clients.webAdmin().get("/bulwark/quarantine?colour=red").then().statusCode(400).body("message", containsString("unknown parameter [colour]"));
        clients.webAdmin().get("/bulwark/quarantine?limit=0").then().statusCode(400);
        clients.webAdmin().get("/bulwark/quarantine?offset=-1").then().statusCode(400);
        clients.webAdmin().delete("/bulwark/quarantine").then().statusCode(400).body("message", containsString("at least one filter"));
        clients.webAdmin().delete("/bulwark/quarantine?reason=nope").then().statusCode(400);
        clients.webAdmin().post("/bulwark/quarantine?action=explode").then().statusCode(400);

        assertThat(quarantineTotal()).isEqualTo(before);
        assertThat(subjects("recipient=" + ivan)).containsExactly("stays put");
    }

    private io.restassured.specification.RequestSpecification json(String body) {
        return clients.webAdmin().contentType("application/json").body(body);
    }

    private List<String> subjects(String query) {
        return clients.quarantine(query).stream().map(entry -> (String) entry.get("subject")).toList();
    }

    private long quarantineTotal() {
        return AWAIT.until(() -> clients.webAdmin().get("/bulwark/quarantine/counts").then().statusCode(200)
            .extract().jsonPath().getLong("total"), total -> total != null);
    }
}
