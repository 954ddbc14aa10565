package dev.bulwark.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.response.Response;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.ConsoleBrowser;
import dev.bulwark.it.fixtures.HostilePage;
import dev.bulwark.it.fixtures.MailClients;

/**
 * A web page from another origin, open in the admin's browser, cannot read or change anything through
 * webadmin as the sample ships it (JWT authentication, cors.origin, WebAdminGuard): not without a token,
 * not even holding a valid admin token. At the HTTP level the guard refuses a foreign Origin and a Host
 * naming another host (DNS rebinding) even with a valid token, on Bulwark's routes and James's own.
 */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileWebPageTest {
    private static final String SENDER = "mallory@outside.test";

    private BulwarkJames james;
    private MailClients clients;
    private ConsoleBrowser browser;
    private String recipient;
    private String id;

    @BeforeAll
    void start(BulwarkJames james) throws Exception {
        this.james = james;
        this.clients = new MailClients(james);
        this.browser = ConsoleBrowser.openWithoutToken(webAdmin());
        recipient = james.addUser("hostile-target");
        clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, "hostile page target", "invoice.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        id = (String) clients.awaitQuarantined("hostile page target").get("id");
        clients.webAdmin().put("/bulwark/lists/block/spammer.example").then().statusCode(204);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aPageFromAnotherOriginReadsAndChangesNothing() throws Exception {
        assertPageGetsNowhere(null);
    }

    @Test
    void aPageFromAnotherOriginHoldingAValidTokenStillReadsAndChangesNothing() throws Exception {
        assertPageGetsNowhere(james.adminToken());
    }

    @Test
    void aForeignOriginIsRefusedEvenWithAValidToken() throws Exception {
        String foreign = "http://127.0.0.1:1";
        for (String path : List.of("/bulwark/quarantine", "/bulwark/quarantine/" + id + "/eml", "/bulwark/lists/allow", "/users", "/mailRepositories")) {
            refused(clients.webAdmin().header("Origin", foreign).get(path), 403, "Origin '" + foreign + "' may not call webadmin");
        }
        refused(clients.webAdmin().header("Origin", foreign).contentType("application/json").body("{\"all\": true}")
            .post("/bulwark/quarantine/" + id + "/release"), 403, "may not call webadmin");
        refused(clients.webAdmin().header("Origin", foreign).put("/bulwark/lists/allow/attacker.example"), 403, "may not call webadmin");
        refused(clients.webAdmin().header("Origin", foreign).options("/bulwark/quarantine"), 403, "may not call webadmin");
        // Opaque origins (sandboxed frames, file: pages) and malformed ones.
        for (String opaque : List.of("null", "not an origin", "http://127.0.0.1:" + james.webAdminPort() + "/path")) {
            refused(clients.webAdmin().header("Origin", opaque).get("/bulwark/quarantine"), 403, "may not call webadmin");
        }

        // Webadmin's own origin, under any name that reaches it, and cors.origin are welcome; curl sends no Origin.
        clients.webAdmin().header("Origin", webAdmin()).get("/bulwark/quarantine").then().statusCode(200);
        clients.webAdmin().header("Host", "localhost:" + james.webAdminPort()).header("Origin", "http://localhost:" + james.webAdminPort())
            .get("/bulwark/quarantine").then().statusCode(200);
        clients.webAdmin().header("Origin", "http://127.0.0.1:8000").get("/bulwark/quarantine").then().statusCode(200);
        clients.webAdmin().get("/bulwark/quarantine").then().statusCode(200);
        assertUnchanged();
    }

    @Test
    void aHostHeaderNamingAnotherHostIsRefusedAgainstDnsRebinding() throws Exception {
        // A rebinding page at http://attacker.example:<port>/ whose name now points at 127.0.0.1 is same-origin
        // with webadmin as far as the browser knows: its Origin matches its Host, but its Host names the attacker.
        String rebound = "attacker.example:" + james.webAdminPort();
        for (String path : List.of("/bulwark/quarantine", "/bulwark/console", "/users", "/mailRepositories", "/tasks")) {
            refused(clients.webAdmin().header("Host", rebound).get(path), 403, "Host '" + rebound + "' does not name this webadmin");
        }
        refused(clients.webAdmin().header("Host", rebound).header("Origin", "http://" + rebound).contentType("application/json")
            .body("{\"all\": true}").post("/bulwark/quarantine/" + id + "/release"), 403, "DNS rebinding");

        for (String host : List.of("127.0.0.1:" + james.webAdminPort(), "localhost:" + james.webAdminPort(), "[::1]:" + james.webAdminPort(),
            "127.0.0.1:8000")) {
            clients.webAdmin().header("Host", host).get("/bulwark/quarantine").then().statusCode(200);
        }
        // James's probes answer whatever name their caller uses.
        assertThat(clients.anonymousWebAdmin().header("Host", rebound).get("/healthcheck").statusCode()).isIn(200, 503);
        assertUnchanged();
    }

    private void assertPageGetsNowhere(String token) throws Exception {
        try (HostilePage page = HostilePage.serve(webAdmin(), id, token)) {
            browser.driver().get(page.url());
            browser.waiting().until(ExpectedConditions.titleIs("done"));
            Map<String, String> results = new ObjectMapper().readValue(
                browser.driver().findElement(By.id("results")).getText(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });

            assertThat(results).as("what the page at %s got", page.origin()).hasSize(15)
                .allSatisfy((attempt, outcome) -> assertThat(outcome).as(attempt).matches("refused: TypeError|opaque|queued|not queued"));
        }
        // The server side, for a while: the no-cors requests and the beacon get no answer the page could see.
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
            .untilAsserted(this::assertUnchanged);
    }

    /**
     * The entry is still quarantined and unreleased, its recipient got nothing, the lists are as they were,
     * James reprocessed nothing (a purge would delete only expired entries, and the schedule runs its own).
     */
    private void assertUnchanged() throws Exception {
        clients.webAdmin().get("/bulwark/quarantine/" + id).then().statusCode(200).body("releases.size()", equalTo(0));
        assertThat(clients.repositoryKeys(MailClients.QUARANTINE)).contains(id);
        assertThat(clients.inboxCount(recipient)).isZero();
        assertThat(clients.webAdmin().get("/bulwark/lists/allow").then().statusCode(200).extract().jsonPath().<String>getList("pattern"))
            .doesNotContain("@attacker.example");
        assertThat(clients.webAdmin().get("/bulwark/lists/block").then().statusCode(200).extract().jsonPath().<String>getList("pattern"))
            .contains("@spammer.example");
        assertThat(clients.webAdmin().get("/tasks").then().statusCode(200).extract().jsonPath().<String>getList("type"))
            .noneMatch(type -> type.contains("reprocessing"));
    }

    private static void refused(Response response, int status, String message) {
        response.then().statusCode(status).body("statusCode", equalTo(status)).body("message", containsString(message));
    }

    private String webAdmin() {
        return "http://127.0.0.1:" + james.webAdminPort();
    }
}
