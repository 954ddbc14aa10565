package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Runtime policies (docs/policy.md) on one real James with real clamd and spamd: a group's virus action
 * switched from quarantine to strip over webadmin acts on the next mail, no restart; an invalid policy is
 * refused naming the field and changes nothing; every change is in the audit trail with before and after,
 * and a rollback restores the earlier policy. The two-node case is {@link dev.bulwark.it.cluster.RuntimePolicyClusterTest}.
 */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class RuntimePolicyTest {
    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
    }

    private JsonPath groupPolicy(String group) {
        return clients.webAdmin().get("/bulwark/policies/groups/" + group).then().statusCode(200).extract().jsonPath();
    }

    private List<Map<String, Object>> quarantined(String subject) {
        return clients.quarantine("limit=1000").stream().filter(entry -> subject.equals(entry.get("subject"))).toList();
    }

    @Test
    void theEmptyStoreStartsFromTheSeededDefaultAndStrictGroup() {
        clients.webAdmin().get("/bulwark/policies").then().statusCode(200)
            .body("default.policy.actions.virus", equalTo("quarantine"))
            .body("default.policy.actions.scanFailed", equalTo("hold"))
            .body("default.change", equalTo("seed"))
            .body("groups.strict.policy.spam.quarantineAt", equalTo(5.0f))
            .body("groups.strict.effective.actions.virus", equalTo("quarantine"));
        clients.webAdmin().get("/bulwark/policies/effective?address=nobody@" + BulwarkJames.DOMAIN).then().statusCode(200)
            .body("group", equalTo(null)).body("reason", equalTo("in no group: the default policy"));
    }

    @Test
    void switchingAGroupsVirusActionToStripDeliversTheMailWithoutTheInfectedPart() throws Exception {
        String member = james.addUser("strip-member");
        String other = james.addUser("strip-other");
        clients.webAdmin().put("/bulwark/groups/labs/" + member).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"virus\": \"quarantine\"}}").put("/bulwark/policies/groups/labs").then().statusCode(200);

        clients.send("partner@outside.test", member, TestSamples.messageWithAttachment("partner@outside.test", member, "lab results 1",
            "results.txt", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        assertThat(clients.awaitQuarantined("lab results 1")).containsEntry("reason", "virus");

        clients.webAdminJson("{\"actions\": {\"virus\": \"strip\"}}").put("/bulwark/policies/groups/labs").then().statusCode(200)
            .body("changedBy", equalTo(BulwarkJames.ADMIN_SUBJECT));
        clients.webAdmin().get("/bulwark/policies/effective?address=" + member).then().statusCode(200)
            .body("group", equalTo("labs")).body("policy.actions.virus", equalTo("strip"))
            .body("reason", startsWith("member of group labs"));

        // The other recipient first: its part stays on the mail (to the quarantine), the member's is split off to strip.
        clients.send("partner@outside.test", List.of(other, member), TestSamples.messageWithAttachment("partner@outside.test", member,
            "lab results 2", "results.txt", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));

        // The member gets the mail without the infected part; the whole mail, that part too, is in the quarantine.
        String delivered = clients.awaitInboxMessage(member, 1);
        assertThat(delivered).contains("Subject: lab results 2").contains("removed by the mail server's security check")
            .contains("results.txt (infected: ").contains("X-Bulwark-Virus: cleaned: removed")
            .doesNotContain("WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FS")
            // what the strip left was spam-checked too, as mail that never met a virus is
            .contains("X-Spam-Flag: NO");
        assertThat(delivered.split("X-Bulwark-Virus: ", -1)).as("one X-Bulwark-Virus header").hasSize(2);
        AWAIT.until(() -> quarantined("lab results 2").size() == 2);
        Map<String, Object> stripped = quarantined("lab results 2").stream()
            .filter(entry -> ((List<String>) entry.get("recipients")).contains(member)).findFirst().orElseThrow();
        assertThat(stripped).containsEntry("reason", "virus");
        assertThat((List<String>) stripped.get("recipients")).containsExactly(member);
        assertThat(clients.webAdmin().get("/bulwark/quarantine/" + stripped.get("id") + "/eml").then().statusCode(200)
            .extract().asString()).contains("WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FS");
        // The other recipient follows the default policy: quarantined, nothing delivered.
        assertThat(quarantined("lab results 2")).anySatisfy(entry -> assertThat((List<String>) entry.get("recipients")).containsExactly(other));
        assertThat(clients.inboxCount(other)).isZero();
    }

    @Test
    void mailToAnAliasFollowsThePolicyOfTheMemberItIsDeliveredTo() throws Exception {
        // Policies are looked up after James's address rewriting (RecipientRewriteTable at the top of root): a sender
        // cannot pick the default policy by writing to an alias of a member of a stricter (or here: different) group.
        String member = james.addUser("alias-member");
        String alias = "alias-of-member@" + BulwarkJames.DOMAIN;
        clients.webAdmin().put("/address/aliases/" + member + "/sources/" + alias).then().statusCode(204);
        clients.webAdmin().put("/bulwark/groups/aliased-labs/" + member).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"virus\": \"strip\"}}").put("/bulwark/policies/groups/aliased-labs").then().statusCode(200);

        clients.send("partner@outside.test", alias, TestSamples.messageWithAttachment("partner@outside.test", alias, "via the alias",
            "results.txt", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));

        // The default policy would only quarantine it; the member's group strips it and delivers the rest.
        String delivered = clients.awaitInboxMessage(member, 1);
        assertThat(delivered).contains("Subject: via the alias").contains("X-Bulwark-Virus: cleaned: removed")
            .doesNotContain("WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FS");
        AWAIT.until(() -> quarantined("via the alias").size() == 1);
        assertThat((List<String>) quarantined("via the alias").get(0).get("recipients")).containsExactly(member);
    }

    @Test
    void aGroupWhosePolicyStripsBannedAttachmentsGetsTheMailWithoutThemTheOthersFollowTheDefault() throws Exception {
        String plain = james.addUser("strip-banned-plain");
        String member = james.addUser("strip-banned-member");
        clients.webAdmin().put("/bulwark/groups/no-installers/" + member).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"banned\": \"strip\"}}").put("/bulwark/policies/groups/no-installers").then().statusCode(200);
        byte[] program = "not really a program".getBytes(StandardCharsets.US_ASCII);
        String encoded = java.util.Base64.getEncoder().encodeToString(program);

        clients.send("vendor@outside.test", List.of(plain, member), TestSamples.messageWithAttachment("vendor@outside.test", member,
            "a new installer", "setup.exe", program));

        // The member gets the mail without the banned part, with a part saying what was removed and why.
        String delivered = clients.awaitInboxMessage(member, 1);
        assertThat(delivered).contains("Subject: a new installer").contains("Please find the file attached.")
            .contains("X-Bulwark-Notice: removed-attachments")
            .contains("setup.exe (banned by the attachment policy)").doesNotContain(encoded);
        // The whole mail, the banned part too, is in the quarantine, filed as banned, for the member; the other recipient's
        // copy follows the default policy: quarantined, nothing delivered.
        AWAIT.until(() -> quarantined("a new installer").size() == 2);
        Map<String, Object> stripped = quarantined("a new installer").stream()
            .filter(entry -> ((List<String>) entry.get("recipients")).contains(member)).findFirst().orElseThrow();
        assertThat(stripped).containsEntry("reason", "banned");
        assertThat((List<String>) stripped.get("recipients")).containsExactly(member);
        assertThat(clients.webAdmin().get("/bulwark/quarantine/" + stripped.get("id") + "/eml").then().statusCode(200)
            .extract().asString()).contains(encoded);
        assertThat(quarantined("a new installer")).anySatisfy(entry -> {
            assertThat((List<String>) entry.get("recipients")).containsExactly(plain);
            assertThat(entry).containsEntry("reason", "banned");
        });
        assertThat(clients.inboxCount(plain)).isZero();
    }

    @Test
    void aGroupWhosePolicyDeliversBannedAttachmentsGetsThemTaggedTheOthersDoNot() throws Exception {
        String plain = james.addUser("banned-plain");
        String member = james.addUser("banned-member");
        clients.webAdmin().put("/bulwark/groups/installers/" + member).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"banned\": \"deliver-tagged\"}}").put("/bulwark/policies/groups/installers").then().statusCode(200);

        clients.send("vendor@outside.test", List.of(plain, member), TestSamples.messageWithAttachment("vendor@outside.test", member,
            "the installer", "setup.exe", "not really a program".getBytes(StandardCharsets.US_ASCII)));

        String delivered = clients.awaitInboxMessage(member, 1);
        assertThat(delivered).contains("Subject: the installer").contains("setup.exe")
            .containsPattern("X-Bulwark-Policy: banned \\(.*setup\\.exe.*\\), delivered as the recipient's policy says");
        assertThat(delivered.split("X-Bulwark-Stamp: ", -1)).as("one X-Bulwark-Stamp header").hasSize(2);
        Map<String, Object> entry = clients.awaitQuarantined("the installer");
        assertThat(entry).containsEntry("reason", "banned");
        assertThat((List<String>) entry.get("recipients")).containsExactly(plain);
        assertThat(clients.inboxCount(plain)).isZero();
        // Stamped: store-level scanning leaves the delivered message in the mailbox.
        clients.webAdmin().get("/bulwark/events?kind=quarantine.stored&recipient=" + member).then().statusCode(200).body("size()", equalTo(0));
        assertThat(clients.inboxCount(member)).isEqualTo(1);
    }

    @Test
    void mailDeliveredTaggedAndSplitByTheSpamPolicyCarriesThePolicyHeaderInTheCopyThroughRootToo() throws Exception {
        String plain = james.addUser("split-plain");
        String tagged = james.addUser("split-tagged");
        clients.webAdmin().put("/bulwark/groups/split-installers/" + plain).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"banned\": \"deliver-tagged\"}}").put("/bulwark/policies/groups/split-installers").then()
            .statusCode(200);
        clients.webAdmin().put("/bulwark/groups/split-installers-tagged/" + tagged).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"banned\": \"deliver-tagged\"}, \"spam\": {\"subjectTag\": \"[SPAM]\"}}")
            .put("/bulwark/policies/groups/split-installers-tagged").then().statusCode(200);

        // Both recipients' policy delivers the banned attachment tagged; the spam policy then splits off the member's part, subject
        // tagged, which goes back through root (StripVerdictHeaders first) with its verdicts to reuse.
        clients.send("vendor@outside.test", List.of(plain, tagged), TestSamples.messageWithAttachment("vendor@outside.test", plain,
            "the installer offer", "setup.exe", "not really a program".getBytes(StandardCharsets.US_ASCII))
            .replace("Please find the file attached.", TestSamples.GTUBE));

        String policyHeader = "X-Bulwark-Policy: banned \\(.*setup\\.exe.*\\), delivered as the recipient's policy says";
        // The split-off copy first, as aGroupsSubjectTagMarksOnlyItsMembersCopy does: it takes the longer way (root again), so the
        // unsplit one is no longer being delivered when its INBOX is read (once, read mid-delivery, EXAMINE said 1 and FETCH 1 failed).
        String taggedCopy = clients.awaitInboxMessage(tagged, 1);
        assertThat(taggedCopy).contains("Subject: [SPAM] the installer offer").contains("X-Spam-Flag: YES").containsPattern(policyHeader)
            .containsPattern("X-Bulwark-Stamp: v2 policy-delivered \\S+");
        String plainCopy = clients.awaitInboxMessage(plain, 1);
        assertThat(plainCopy).contains("Subject: the installer offer").contains("X-Spam-Flag: YES").containsPattern(policyHeader);
        assertThat(taggedCopy.split("X-Bulwark-Policy: ", -1)).as("one X-Bulwark-Policy header").hasSize(2);
        assertThat(plainCopy.split("X-Bulwark-Policy: ", -1)).as("one X-Bulwark-Policy header").hasSize(2);
    }

    @Test
    void aGroupThatHoldsEncryptedAndDamagedContentGetsItHeldForARescan(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String member = james.addUser("hold-member");
        clients.webAdmin().put("/bulwark/groups/holders/" + member).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"encrypted\": \"hold\", \"damaged\": \"hold\"}}").put("/bulwark/policies/groups/holders")
            .then().statusCode(200);
        byte[] text = "quarterly figures\n".getBytes(StandardCharsets.US_ASCII);
        java.nio.file.Path figures = java.nio.file.Files.write(dir.resolve("figures.txt"), text);
        java.nio.file.Path archive = dir.resolve("aes.zip");
        Process sevenZip = new ProcessBuilder("7zz", "a", "-bd", "-y", "-tzip", "-pSecret1", "-mem=AES256", archive.toString(), figures.toString())
            .redirectErrorStream(true).start();
        sevenZip.getInputStream().readAllBytes();
        assertThat(sevenZip.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && sevenZip.exitValue() == 0).as("7zz made the archive").isTrue();
        java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip)) {
            out.putNextEntry(new java.util.zip.ZipEntry("figures.txt"));
            out.write(text);
            out.closeEntry();
        }
        byte[] damaged = java.util.Arrays.copyOf(zip.toByteArray(), zip.size() - 30);

        clients.send("archives@outside.test", member, TestSamples.messageWithAttachment("archives@outside.test", member, "held encrypted",
            "aes.zip", java.nio.file.Files.readAllBytes(archive)));
        clients.send("archives@outside.test", member, TestSamples.messageWithAttachment("archives@outside.test", member, "held damaged",
            "figures.zip", damaged));

        // Held (reason unscannable, the held path a retroactive rescan takes up), not quarantined, not delivered.
        AWAIT.untilAsserted(() -> assertThat(clients.held("unscannable")).extracting(entry -> entry.get("subject"))
            .contains("held encrypted", "held damaged"));
        assertThat(clients.quarantine("recipient=" + member + "&limit=100")).extracting(entry -> entry.get("reason")).containsOnly("unscannable");
        assertThat(clients.inboxCount(member)).isZero();
    }

    @Test
    void aGroupsAllowedExtensionsLiftTheBanByNameForItsMembersOnly() throws Exception {
        String plain = james.addUser("cmd-plain");
        String member = james.addUser("cmd-member");
        clients.webAdmin().put("/bulwark/groups/builders/" + member).then().statusCode(204);
        clients.webAdminJson("{\"banned\": {\"allowExtensions\": [\"*.cmd\"]}}").put("/bulwark/policies/groups/builders").then().statusCode(400)
            .body("message", startsWith("invalid policy: banned.allowExtensions[0]: must be a file name extension without its dot"));
        clients.webAdminJson("{\"banned\": {\"allowExtensions\": [\"cmd\"]}}").put("/bulwark/policies/groups/builders").then().statusCode(200);

        clients.send("ci@outside.test", List.of(plain, member), TestSamples.messageWithAttachment("ci@outside.test", member,
            "the build script", "build.cmd", "echo building\r\n".getBytes(StandardCharsets.US_ASCII)));

        assertThat(clients.awaitInboxMessage(member, 1)).contains("Subject: the build script").contains("build.cmd");
        Map<String, Object> entry = clients.awaitQuarantined("the build script");
        assertThat(entry).containsEntry("reason", "banned");
        assertThat((List<String>) entry.get("recipients")).containsExactly(plain);
        assertThat(clients.inboxCount(plain)).isZero();
    }

    @Test
    void aGroupsBannedExtensionsQuarantineOnlyItsMembersCopy() throws Exception {
        String plain = james.addUser("pdf-plain");
        String member = james.addUser("pdf-member");
        clients.webAdmin().put("/bulwark/groups/no-pdf/" + member).then().statusCode(204);
        clients.webAdminJson("{\"banned\": {\"extensions\": [\"pdf\"], \"archives\": {\"maxDepth\": 1}}}").put("/bulwark/policies/groups/no-pdf")
            .then().statusCode(200);

        clients.send("vendor@outside.test", List.of(member, plain), TestSamples.messageWithAttachment("vendor@outside.test", member,
            "the brochure", "brochure.pdf", "%PDF-1.4 a harmless brochure".getBytes(StandardCharsets.US_ASCII)));

        // The default recipient gets it as it is; the member's copy is quarantined as banned.
        String delivered = clients.awaitInboxMessage(plain, 1);
        assertThat(delivered).contains("Subject: the brochure").contains("brochure.pdf").doesNotContain("X-Bulwark-Policy");
        Map<String, Object> entry = clients.awaitQuarantined("the brochure");
        assertThat(entry).containsEntry("reason", "banned");
        assertThat((List<String>) entry.get("recipients")).containsExactly(member);
        assertThat(clients.inboxCount(member)).isZero();
        assertThat(quarantined("the brochure")).hasSize(1);

        // An archive in an archive: deeper than the group's banned.archives.maxDepth (1), within the default's.
        java.io.ByteArrayOutputStream inner = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(inner)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write("the figures".getBytes(StandardCharsets.US_ASCII));
        }
        java.io.ByteArrayOutputStream outer = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(outer)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("inner.zip"));
            zip.write(inner.toByteArray());
        }
        clients.send("vendor@outside.test", List.of(member, plain), TestSamples.messageWithAttachment("vendor@outside.test", member,
            "the nested archive", "outer.zip", outer.toByteArray()));
        clients.awaitInboxMessage(plain, 2); // the default recipient gets it too
        Map<String, Object> nested = clients.awaitQuarantined("the nested archive");
        assertThat(nested).containsEntry("reason", "banned");
        assertThat((List<String>) nested.get("recipients")).containsExactly(member);
    }

    @Test
    void aGroupsSubjectTagMarksOnlyItsMembersCopy() throws Exception {
        String plain = james.addUser("tag-plain");
        String tagged = james.addUser("tag-member");
        clients.webAdmin().put("/bulwark/groups/tagged/" + tagged).then().statusCode(204);
        clients.webAdminJson("{\"spam\": {\"subjectTag\": \"[SPAM]\"}}").put("/bulwark/policies/groups/tagged").then().statusCode(200);

        // The default recipient first: the mail goes on for it, the member's part is split off and tagged.
        clients.send("promo@outside.test", List.of(plain, tagged), TestSamples.plainMessage("promo@outside.test", plain, "big offer", TestSamples.GTUBE));

        String taggedCopy = clients.awaitInboxMessage(tagged, 1);
        assertThat(taggedCopy).contains("Subject: [SPAM] big offer").contains("X-Spam-Flag: YES");
        assertThat(taggedCopy.split("X-Bulwark-Virus: ", -1)).as("one X-Bulwark-Virus header").hasSize(2);
        String plainCopy = clients.awaitInboxMessage(plain, 1);
        assertThat(plainCopy).contains("Subject: big offer").doesNotContain("[SPAM]").contains("X-Spam-Flag: YES");
    }

    @Test
    void aGroupsPolicySaysWhoIsToldAndInWhichLanguage() throws Exception {
        String plain = james.addUser("notice-plain");
        String member = james.addUser("notice-member");
        clients.webAdmin().put("/bulwark/groups/german/" + member).then().statusCode(204);
        clients.webAdminJson("{\"notices\": {\"recipients\": true}, \"language\": \"de\"}").put("/bulwark/policies/groups/german")
            .then().statusCode(200);

        clients.send("partner@outside.test", List.of(plain, member), TestSamples.messageWithAttachment("partner@outside.test", member,
            "quarterly figures", "figures.txt", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));

        Map<String, Object> entry = clients.awaitQuarantined("quarterly figures");
        javax.mail.internet.MimeMessage notice = new javax.mail.internet.MimeMessage(null,
            new java.io.ByteArrayInputStream(clients.awaitInboxMessage(member, 1).getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(notice.getSubject()).isEqualTo("Eine Nachricht an Sie wurde zurückgehalten: quarterly figures");
        assertThat((String) notice.getContent()).contains((String) entry.get("id"));
        // The default policy (notices.recipients false) tells the other recipient nothing.
        AWAIT.until(() -> clients.webAdmin().get("/bulwark/events?kind=notice.suppressed&limit=1000").then().statusCode(200).extract()
            .jsonPath().<Map<String, Object>>getList("$").stream().map(event -> (Map<String, String>) event.get("details"))
            .anyMatch(details -> plain.equals(details.get("to")) && "policy: notices.recipients is false".equals(details.get("reason"))));
        assertThat(clients.inboxCount(plain)).isZero();
    }

    @Test
    void aStoredDefaultThatNoLongerValidatesLeavesTheListingReadableAndMailFlowing() throws Exception {
        // A default written by an older Bulwark, before today's rules refused it (a bidi character in the subject tag),
        // put straight into the store's table as such an upgrade would find it.
        clients.webAdminJson("{\"priority\": 4, \"spam\": {\"quarantineAt\": 11}}").put("/bulwark/policies/groups/listing").then().statusCode(200);
        Map<String, Object> valid = clients.webAdmin().get("/bulwark/policies/default").then().statusCode(200).extract().path("policy");
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        String refusedToday = mapper.writeValueAsString(valid).replace("\"subjectTag\":\"\"", "\"subjectTag\":\"\\u202E\"");
        assertThat(refusedToday).contains("\\u202E");
        try (java.sql.Connection store = java.sql.DriverManager.getConnection("jdbc:sqlite:" + james.workDir().resolve("var/bulwark/security.db"));
             java.sql.PreparedStatement insert = store.prepareStatement("INSERT INTO bulwark_policy_version (scope, document, change_kind, changed_at, changed_by)"
                 + " VALUES ('default', ?, 'put', ?, 'an older Bulwark')")) {
            insert.setString(1, refusedToday);
            insert.setLong(2, System.currentTimeMillis());
            insert.executeUpdate();
        }

        // Within store.cacheTtl the listing says why the group has no effective policy to show, instead of failing whole.
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/policies").then().statusCode(200)
            .body("groups.listing.effective", equalTo(null))
            .body("groups.listing.effectiveError", containsString("spam.subjectTag")));
        String user = james.addUser("invalid-default-reader");
        clients.send("partner@outside.test", user, TestSamples.plainMessage("partner@outside.test", user, "still flowing", "hello"));
        assertThat(clients.awaitInboxMessage(user, 1)).contains("Subject: still flowing");

        // An admin replaces it: everything as before.
        clients.webAdminJson(mapper.writeValueAsString(valid)).put("/bulwark/policies/default").then().statusCode(200);
        clients.webAdmin().get("/bulwark/policies").then().statusCode(200)
            .body("groups.listing.effective.spam.quarantineAt", equalTo(11.0f))
            .body("groups.listing.effectiveError", equalTo(null));
    }

    @Test
    void anInvalidPolicyIsRefusedNamingTheFieldAndNothingChanges() {
        clients.webAdminJson("{\"priority\": 3, \"spam\": {\"quarantineAt\": 12}}").put("/bulwark/policies/groups/audit").then().statusCode(200);
        long version = groupPolicy("audit").getLong("version");
        int history = clients.webAdmin().get("/bulwark/policies/history?limit=1000").then().statusCode(200).extract().jsonPath().getList("$").size();

        clients.webAdminJson("{\"spam\": {\"quarantineAt\": 2}}").put("/bulwark/policies/groups/audit").then().statusCode(400)
            .body("statusCode", equalTo(400)).body("type", equalTo("InvalidArgument"))
            .body("message", equalTo("invalid policy: spam.quarantineAt: must be a number above spam.tagAt (5.0)"));
        clients.webAdminJson("{\"actions\": {\"virus\": \"deliver-tagged\"}, \"colour\": \"red\"}").put("/bulwark/policies/groups/audit")
            .then().statusCode(400).body("message", containsString("colour: is not a policy field"))
            .body("message", containsString("actions.virus: 'deliver-tagged' is not allowed for virus"));
        // Outbreaks are counted for all mail: their settings are the default policy's only.
        clients.webAdminJson("{\"outbreak\": {\"perVirus\": 1}}").put("/bulwark/policies/groups/audit").then().statusCode(400)
            .body("message", equalTo("invalid policy: outbreak.perVirus: set in the default policy only; outbreaks are counted for all mail"));
        clients.webAdminJson("{\"policy\": {\"actions\": {\"scanFailed\": \"deliver-tagged\"}}, \"group\": \"audit\"}").post("/bulwark/policies/validate")
            .then().statusCode(400).body("message", containsString("actions.scanFailed: deliver-tagged delivers mail nobody scanned"));
        clients.webAdminJson("{\"policy\": {\"spam\": {\"quarantineAt\": 20}}, \"group\": \"audit\"}").post("/bulwark/policies/validate")
            .then().statusCode(200).body("valid", equalTo(true)).body("effective.spam.quarantineAt", equalTo(20.0f));
        String export = clients.webAdmin().get("/bulwark/policies/export").then().statusCode(200).extract().asString();
        clients.webAdminJson(export.replace("\"quarantineAt\":12", "\"quarantineAt\":\"high\"")).post("/bulwark/policies/import")
            .then().statusCode(400).body("message", equalTo("invalid policy: groups.audit.spam.quarantineAt: must be a number from -1000 to 10000, or null for never"));
        // A subject tag becomes part of a header: no line break, no bidi override, nothing huge.
        for (String tag : List.of("[SPAM]\r\nBcc: victim@example.com", "[\u202EMAPS]", "x".repeat(100_000))) {
            clients.webAdminJson("{\"spam\": {\"subjectTag\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(tag) + "}}")
                .put("/bulwark/policies/groups/audit").then().statusCode(400).body("message", containsString("spam.subjectTag: must be at most 40"));
        }
        // Nested 50,000 deep (copying it recursed until the stack overflowed, past James's JSON errors): refused by every route that reads a policy.
        String deep = "{\"colour\": " + "[".repeat(50_000) + "]".repeat(50_000) + "}";
        Map<String, String> deepBodies = Map.of("/bulwark/policies/groups/audit", deep,
            "/bulwark/policies/validate", "{\"group\": \"audit\", \"policy\": " + deep + "}",
            "/bulwark/policies/import", export.replace("\"quarantineAt\":12", "\"quarantineAt\":12,\"colour\":" + deep.substring(11, deep.length() - 1)));
        deepBodies.forEach((path, body) -> {
            RequestSpecification request = clients.webAdminJson(body);
            (path.endsWith("/audit") ? request.put(path) : request.post(path)).then().statusCode(400).contentType("application/json")
                .body("statusCode", equalTo(400)).body("type", equalTo("InvalidArgument"))
                .body("message", startsWith("invalid policy: (document): is nested too deeply"));
        });
        // As a hostile page or curl's default would send it: a form body (415), or from another origin (403).
        clients.webAdmin().contentType("application/x-www-form-urlencoded").body("spam.quarantineAt=2")
            .put("/bulwark/policies/groups/audit").then().statusCode(415);
        clients.webAdmin().header("Origin", "https://attacker.example").contentType("application/json").body("{\"spam\": {\"quarantineAt\": 20}}")
            .put("/bulwark/policies/groups/audit").then().statusCode(403);

        assertThat(groupPolicy("audit").getLong("version")).isEqualTo(version);
        assertThat(groupPolicy("audit").getDouble("policy.spam.quarantineAt")).isEqualTo(12.0);
        assertThat(clients.webAdmin().get("/bulwark/policies/history?limit=1000").then().extract().jsonPath().getList("$")).hasSize(history);
    }

    @Test
    void everyChangeIsAuditedWithBeforeAndAfterAndARollbackRestores() {
        long first = clients.webAdminJson("{\"spam\": {\"quarantineAt\": 30}}").put("/bulwark/policies/groups/board").then().statusCode(200)
            .extract().jsonPath().getLong("version");
        long second = clients.webAdminJson("{\"spam\": {\"quarantineAt\": 40, \"subjectTag\": \"[SPAM]\"}}").put("/bulwark/policies/groups/board")
            .then().statusCode(200).extract().jsonPath().getLong("version");

        JsonPath events = clients.webAdmin().get("/bulwark/events?kind=policy.changed&limit=1000").then().statusCode(200).extract().jsonPath();
        List<Map<String, String>> board = events.<Map<String, Object>>getList("$").stream()
            .map(event -> (Map<String, String>) event.get("details")).filter(details -> "group:board".equals(details.get("scope"))).toList();
        assertThat(board).hasSize(2);
        assertThat(board.get(0)).containsEntry("by", BulwarkJames.ADMIN_SUBJECT).containsEntry("version", Long.toString(second))
            .containsEntry("before", "{\"spam\":{\"quarantineAt\":30}}")
            .containsEntry("after", "{\"spam\":{\"quarantineAt\":40,\"subjectTag\":\"[SPAM]\"}}");
        assertThat(board.get(1)).containsEntry("version", Long.toString(first)).containsEntry("before", "none")
            .containsEntry("after", "{\"spam\":{\"quarantineAt\":30}}");
        clients.webAdmin().get("/bulwark/policies/history?scope=group:board").then().statusCode(200)
            .body("[0].version", equalTo((int) second)).body("[0].before.spam.quarantineAt", equalTo(30))
            .body("[1].before", equalTo(null));

        clients.webAdminJson("{\"version\": " + first + "}").post("/bulwark/policies/rollback").then().statusCode(200)
            .body("rolledBackTo", equalTo((int) first)).body("change", equalTo("rollback"));
        assertThat(groupPolicy("board").getMap("policy")).isEqualTo(Map.of("spam", Map.of("quarantineAt", 30)));
        clients.webAdmin().get("/bulwark/events?kind=policy.changed&limit=1").then().statusCode(200)
            .body("[0].details.change", equalTo("rollback")).body("[0].details.before", containsString("40"))
            .body("[0].details.after", equalTo("{\"spam\":{\"quarantineAt\":30}}"));
        clients.webAdminJson("{\"version\": 999999}").post("/bulwark/policies/rollback").then().statusCode(404);
    }
}
