package dev.bulwark.it.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BigMessages;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.ConsoleBrowser;
import dev.bulwark.it.fixtures.ConsoleBrowserExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The web console in Debian's headless chromium against a real James with real clamd and spamd: what
 * an admin sees and does in each view matches what the mail did and what the API says. The pipeline canary
 * runs, as shipped (more often): its carriers must not show anywhere in the console.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class ConsoleTest {
    private static final String SENDER = "mallory@outside.test";
    /** Quarantine listings can meet an entry being written (a transient 500); waits look again. */
    private static final ConditionFactory AWAIT = Awaitility.await().atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200)).ignoreExceptions();

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "canary.interval", "5s"));
    @RegisterExtension
    static final ConsoleBrowserExtension CONSOLE = new ConsoleBrowserExtension(JAMES);

    private final BulwarkJames james;
    private final MailClients clients;
    private final ConsoleBrowser browser;

    ConsoleTest(BulwarkJames james, MailClients clients, ConsoleBrowser browser) {
        this.james = james;
        this.clients = clients;
        this.browser = browser;
    }

    @Test
    void dashboardShowsTheCountsOfKnownMail() throws Exception {
        String alice = james.addUser("console-dash-alice");
        clients.send(SENDER, alice, TestSamples.plainMessage(SENDER, alice, "dashboard clean", "Hello."));
        clients.send(SENDER, alice, infected(alice, "dashboard virus"));
        clients.awaitInboxMessage(alice, 1);
        awaitQuarantined("dashboard virus");
        // Events are written asynchronously: wait until the store has counted this mail.
        AWAIT.until(() -> totals("1h"), totals -> totals.getOrDefault("verdict.clean", 0L) >= 1
            && totals.getOrDefault("verdict.infected", 0L) >= 1 && totals.getOrDefault("quarantine.stored", 0L) >= 1);

        // The page shows exactly what the statistics say (looked at again only if more mail was counted meanwhile).
        AWAIT.untilAsserted(() -> {
            Map<String, Long> hour = totals("1h");
            Map<String, Long> week = totals("7d");
            browser.openView("dashboard");
            browser.awaitVisible(By.id("counts-table"));
            assertThat(count("scanned-1h")).isEqualTo(sum(hour, "verdict.")).isGreaterThanOrEqualTo(2);
            assertThat(count("infected-1h")).isEqualTo(hour.get("verdict.infected")).isGreaterThanOrEqualTo(1);
            assertThat(count("quarantined-1h")).isEqualTo(hour.get("quarantine.stored"));
            assertThat(count("spam-1h")).isEqualTo(hour.getOrDefault("spam.spam", 0L));
            assertThat(count("scanned-7d")).isEqualTo(sum(week, "verdict."));
        });
        assertThat(browser.awaitVisible(By.id("top-viruses-table")).getText()).contains("Bulwark-Test.EICAR");
        assertThat(browser.all(By.cssSelector("#chart-infected rect.bar"))).isNotEmpty();
        browser.awaitText(By.id("integrity-table"), "clamd");
        browser.awaitText(By.id("health-status"), "healthy");
        browser.awaitText(By.id("pools-table"), "spamd");
        browser.awaitText(By.id("quarantine-counts-table"), "virus");
        assertThat(browser.driver().findElement(By.id("error")).isDisplayed()).isFalse();
        browser.screenshot("dashboard");
    }

    @Test
    void anEicarMailIsInspectedAndReleasedToAChosenRecipientFromTheBrowser() throws Exception {
        String erin = james.addUser("console-erin");
        String frank = james.addUser("console-frank");
        clients.send(SENDER, List.of(erin, frank), infected(erin, "console release"));
        awaitQuarantined("console release");

        WebElement row = showQuarantinedFor(erin, "console release");
        assertThat(row.findElement(By.cssSelector("td.recipients")).getText()).isEqualTo(erin + ", " + frank);
        browser.screenshot("quarantine-list");
        row.findElement(By.cssSelector("button.inspect")).click();
        browser.awaitText(By.id("headers-table"), "console release");
        browser.awaitText(By.id("mime-tree"), "\"invoice.com\"");
        assertThat(browser.awaitVisible(By.id("entry-metadata")).getText()).contains("Bulwark-Test.EICAR", SENDER);
        browser.screenshot("quarantine-entry");

        // Release to Erin only: untick Frank, confirm.
        recipientBox(frank).click();
        browser.click(By.id("release-button"));
        browser.awaitVisible(By.id("confirm-dialog"));
        assertThat(browser.driver().findElement(By.id("confirm-text")).getText()).contains(erin).doesNotContain(frank);
        browser.screenshot("quarantine-release-confirmation");
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("notice"), "Released to " + erin);

        assertThat(clients.awaitInboxMessage(erin, 1)).contains("Subject: console release").contains("invoice.com");
        assertThat(clients.inboxCount(frank)).isZero();
        assertThat(recipientBox(erin).isEnabled()).as("a released recipient cannot be chosen again").isFalse();
        assertThat(recipientBox(frank).isEnabled()).isTrue();
    }

    /** A false positive released from the browser with "Release as not spam": delivered, and learned as ham for the recipient. */
    @Test
    void spamReleasedAsNotSpamIsLearnedAsHam() throws Exception {
        String ivan = james.addUser("console-fp-ivan");
        clients.webAdmin().put("/bulwark/groups/strict/" + ivan).then().statusCode(204);
        clients.send(SENDER, ivan, TestSamples.plainMessage(SENDER, ivan, "console false positive", TestSamples.GTUBE));
        awaitQuarantined("console false positive");

        showQuarantinedFor(ivan, "console false positive").findElement(By.cssSelector("button.inspect")).click();
        browser.click(By.id("release-ham-button"));
        browser.awaitVisible(By.id("confirm-dialog"));
        assertThat(browser.driver().findElement(By.id("confirm-text")).getText()).contains(ivan).contains("learn it as ham");
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("notice"), "learned as ham");

        clients.awaitInboxMessage(ivan, 1);
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=spam.learned&recipient=" + ivan).then().statusCode(200)
            .body("[0].details.as", org.hamcrest.Matchers.equalTo("ham")).body("[0].details.trigger", org.hamcrest.Matchers.equalTo("release")));
    }

    /** An entry store-level scanning took out of a mailbox shows whose mailbox it was and whose session added it. */
    @Test
    void aMailboxTakeOutShowsItsMailboxAndWhoAddedIt() throws Exception {
        String kim = james.addUser("console-kim");
        clients.append(kim, "Archive", infected(kim, "console appended"));
        awaitQuarantined("console appended");

        showQuarantinedFor(kim, "console appended").findElement(By.cssSelector("button.inspect")).click();
        assertThat(browser.awaitVisible(By.id("entry-metadata")).getText())
            .contains("Taken out of", "Archive of " + kim, "Added by");
    }

    /**
     * Held mail (a part over clamd's stream limit) in the browser: marked held, a "rescan and release"
     * refused while it still cannot be scanned, and released unscanned only with a typed reason, which the
     * confirmation repeats and the delivered copy carries.
     */
    @Test
    void heldMailIsReleasedUnscannedWithAReasonFromTheBrowser() throws Exception {
        String hana = james.addUser("console-hana");
        BigMessages.Reply reply = BigMessages.send(james.smtpPort(), SENDER, hana, "console held", out -> {
            BigMessages.part(out, "text/plain", "export.csv", "7bit");
            BigMessages.text(out, 26L * 1024 * 1024);
        });
        assertThat(reply.code()).isEqualTo(250);
        AWAIT.atMost(Duration.ofMinutes(2)).until(() -> clients.held("unscannable").stream().anyMatch(entry -> "console held".equals(entry.get("subject"))));

        WebElement row = showQuarantinedFor(hana, "console held");
        assertThat(row.findElement(By.cssSelector("td.reason")).getText()).isEqualTo("unscannable (held)");
        row.findElement(By.cssSelector("button.inspect")).click();
        assertThat(browser.awaitVisible(By.id("entry-metadata")).getText()).contains("held: no scanner has judged it")
            .contains("is over clamd's stream limit");

        browser.click(By.id("release-button"));
        browser.awaitVisible(By.id("confirm-dialog"));
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("error-text"), "still cannot be scanned");
        assertThat(clients.inboxCount(hana)).isZero();

        browser.click(By.id("release-unscanned-button"));
        browser.awaitText(By.id("notice"), "Give the reason");
        browser.type(By.id("unscanned-reason"), "the monthly export, expected from this sender");
        browser.click(By.id("release-unscanned-button"));
        browser.awaitVisible(By.id("confirm-dialog"));
        assertThat(browser.driver().findElement(By.id("confirm-text")).getText()).contains("WITHOUT a virus scan")
            .contains("the monthly export, expected from this sender");
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("notice"), "Released to " + hana);
        browser.awaitText(By.id("entry-metadata"), "unscanned: the monthly export, expected from this sender");

        assertThat(AWAIT.atMost(Duration.ofMinutes(2)).until(() -> clients.inboxCount(hana) == 1 ? clients.awaitInboxHeaders(hana, 1) : null,
            java.util.Objects::nonNull)).contains("X-Bulwark-Virus: not scanned: released unscanned by")
            .contains("the monthly export, expected from this sender");
    }

    @Test
    void deletingAsksFirstAndCancellingKeepsTheEntry() throws Exception {
        String gina = james.addUser("console-gina");
        clients.send(SENDER, gina, infected(gina, "console delete"));
        String id = (String) awaitQuarantined("console delete").get("id");

        showQuarantinedFor(gina, "console delete").findElement(By.cssSelector("button.inspect")).click();
        browser.click(By.id("delete-button"));
        browser.awaitVisible(By.id("confirm-dialog"));
        browser.click(By.id("confirm-no"));
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm-dialog")));
        clients.webAdmin().get("/bulwark/quarantine/" + id).then().statusCode(200);

        browser.click(By.id("delete-button"));
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("notice"), "Deleted " + id);
        clients.webAdmin().get("/bulwark/quarantine/" + id).then().statusCode(404);
        browser.awaitText(By.id("quarantine-list"), "Nothing in quarantine matches");
    }

    @Test
    void aSubjectMadeOfMarkupIsShownAsTextAndNothingRuns() throws Exception {
        String hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
        String ivan = james.addUser("console-ivan");
        clients.send(SENDER, ivan, infected(ivan, hostile));
        awaitQuarantined(hostile);

        WebElement row = showQuarantinedFor(ivan, hostile);
        assertThat(row.findElement(By.cssSelector("td.subject")).getText()).isEqualTo(hostile);
        row.findElement(By.cssSelector("button.inspect")).click();
        browser.awaitText(By.id("headers-table"), hostile);
        assertThat(browser.driver().findElement(By.id("entry-metadata")).getText()).contains(hostile);

        // Nothing from the subject became an element: the page's only script is its own module.
        assertThat(browser.all(By.cssSelector("img"))).isEmpty();
        assertThat(browser.all(By.cssSelector("script"))).hasSize(1)
            .allSatisfy(script -> assertThat(script.getAttribute("src")).endsWith("/bulwark/console/console.js"));
        assertThat(browser.alertShown()).isFalse();
        browser.screenshot("quarantine-hostile-subject");
    }

    @Test
    void eventsAndTheTraceOfOneMessage() throws Exception {
        String judy = james.addUser("console-judy");
        String message = TestSamples.plainMessage(SENDER, judy, "console trace", "Trace me.");
        String messageId = messageId(message);
        clients.send(SENDER, judy, message);
        clients.awaitInboxMessage(judy, 1);
        AWAIT.until(() -> clients.webAdmin().get("/bulwark/events?messageId=" + encode(messageId)).then().statusCode(200)
            .extract().jsonPath().<String>getList("kind"), kinds -> kinds.contains("verdict.clean") && kinds.contains("spam.ham"));

        browser.openView("events");
        browser.type(By.cssSelector("#events-filter input[name=recipient]"), judy);
        browser.click(By.id("events-search"));
        browser.awaitText(By.id("events-table"), "spam.ham");
        browser.driver().findElement(By.xpath("//table[@id='events-table']//button[text()='" + messageId + "']")).click();
        browser.awaitText(By.id("trace-table"), "verdict.clean");
        List<String> kinds = browser.all(By.cssSelector("#trace-table tbody tr td:nth-child(2)")).stream().map(WebElement::getText).toList();
        assertThat(kinds).containsSubsequence("verdict.clean", "spam.ham");
        browser.screenshot("events");
    }

    @Test
    void aBlockListEntryAndAGroupMemberAreAddedAndRemovedWithConfirmation() {
        browser.openView("lists");
        browser.type(By.cssSelector("#add-block input[name=pattern]"), "@console-spammer.test");
        browser.type(By.cssSelector("#add-block input[name=comment]"), "added <b>from</b> the console");
        browser.click(By.cssSelector("#add-block button[type=submit]"));
        browser.awaitText(By.id("block-table"), "@console-spammer.test");
        assertThat(browser.driver().findElement(By.id("block-table")).getText()).contains("added <b>from</b> the console");
        assertThat(clients.webAdmin().get("/bulwark/lists/block").then().statusCode(200).extract().jsonPath().<String>getList("pattern"))
            .contains("@console-spammer.test");
        browser.screenshot("lists");

        browser.driver().findElement(By.xpath("//table[@id='block-table']//tr[td[text()='@console-spammer.test']]//button")).click();
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("notice"), "@console-spammer.test removed");
        assertThat(clients.webAdmin().get("/bulwark/lists/block").then().statusCode(200).extract().jsonPath().<String>getList("pattern"))
            .doesNotContain("@console-spammer.test");

        browser.type(By.cssSelector("#add-member input[name=group]"), "console-staff");
        browser.type(By.cssSelector("#add-member input[name=member]"), "console-member@bulwark.test");
        browser.click(By.cssSelector("#add-member button[type=submit]"));
        browser.awaitText(By.id("groups-table"), "console-member@bulwark.test");
        clients.webAdmin().get("/bulwark/groups/console-staff").then().statusCode(200);
        browser.driver().findElement(By.xpath("//table[@id='groups-table']//tr[td[text()='console-member@bulwark.test']]//button")).click();
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("notice"), "removed from group console-staff");
        clients.webAdmin().get("/bulwark/groups/console-staff").then().statusCode(404);
    }

    @Test
    void anApiErrorIsShownWithWebadminsMessage() {
        browser.openView("events");
        browser.type(By.cssSelector("#events-filter input[name=after]"), "yesterday");
        browser.click(By.id("events-search"));
        browser.awaitVisible(By.id("error"));
        assertThat(browser.driver().findElement(By.id("error-text")).getText())
            .contains("GET /bulwark/events")
            .contains("(400)")
            .contains("after 'yesterday' is not a date");
        browser.screenshot("api-error");
    }

    @Test
    void servesItsFilesWithTypesAndCacheHeadersAndNothingElse() {
        io.restassured.response.Response page = clients.webAdmin().get("/bulwark/console");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.contentType()).isEqualToIgnoringWhitespace("text/html; charset=utf-8");
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(page.asString()).contains("/bulwark/console/console.js");

        String etag = page.header("ETag");
        assertThat(etag).isNotBlank();
        assertThat(clients.webAdmin().header("If-None-Match", etag).get("/bulwark/console").statusCode()).isEqualTo(304);
        assertThat(clients.webAdmin().header("If-None-Match", "\"stale\"").get("/bulwark/console").statusCode()).isEqualTo(200);
        assertThat(clients.webAdmin().get("/bulwark/console/").contentType()).isEqualToIgnoringWhitespace("text/html; charset=utf-8");
        assertThat(clients.webAdmin().get("/bulwark/console/quarantine.js").contentType()).isEqualToIgnoringWhitespace("text/javascript; charset=utf-8");
        assertThat(clients.webAdmin().get("/bulwark/console/console.css").contentType()).isEqualToIgnoringWhitespace("text/css; charset=utf-8");

        for (String path : List.of("/bulwark/console/nothing.js", "/bulwark/console/..%2F..%2Fbulwark.properties",
            "/bulwark/console/%2E%2E%2Fconf%2Fwebadmin.properties", "/bulwark/console/dev%2Fbulwark%2Fconsole%2Findex.html",
            "/bulwark/console/ConsoleRoutes.class")) {
            assertThat(clients.webAdmin().get(path).statusCode()).as(path).isIn(400, 404);
        }
    }

    private WebElement showQuarantinedFor(String recipient, String subject) {
        browser.openView("quarantine");
        browser.awaitVisible(By.id("quarantine-range"));
        browser.type(By.cssSelector("#quarantine-filter input[name=recipient]"), recipient);
        browser.click(By.id("quarantine-search"));
        browser.waiting().until(ExpectedConditions.attributeContains(By.id("quarantine-list"), "data-search", "recipient=" + encode(recipient)));
        return browser.waiting().withMessage("a quarantine row for " + recipient + " whose subject reads, as text, " + subject)
            .until(driver -> driver.findElements(By.cssSelector("#quarantine-table tr.entry")).stream()
                .filter(row -> row.findElement(By.cssSelector("td.subject")).getText().equals(subject)).findFirst().orElse(null));
    }

    private WebElement recipientBox(String recipient) {
        return browser.driver().findElement(By.cssSelector("#release-form input[value='" + recipient + "']"));
    }

    private long count(String id) {
        return Long.parseLong(browser.driver().findElement(By.id("count-" + id)).getText());
    }

    private Map<String, Long> totals(String window) {
        Map<String, Object> totals = clients.webAdmin().get("/bulwark/stats?window=" + window).then().statusCode(200)
            .extract().jsonPath().getMap("totals");
        return totals.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> ((Number) e.getValue()).longValue()));
    }

    private static long sum(Map<String, Long> totals, String prefix) {
        return totals.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
    }

    private Map<String, Object> awaitQuarantined(String subject) {
        return AWAIT.until(() -> clients.quarantine("").stream().filter(entry -> subject.equals(entry.get("subject"))).findFirst(),
            java.util.Optional::isPresent).orElseThrow();
    }

    private static String infected(String to, String subject) {
        return TestSamples.messageWithAttachment(SENDER, to, subject, "invoice.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
    }

    private static String messageId(String message) {
        Matcher matcher = Pattern.compile("(?m)^Message-ID: (<[^>]+>)").matcher(message);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
