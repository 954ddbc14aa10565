package dev.bulwark.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.WebAdminJwt;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.specification.RequestSpecification;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.Scripts;

/**
 * Webadmin's JWT authentication as the sample ships it, with the key pair made by
 * scripts/webadmin-keys.sh and tokens from scripts/admin-token.sh, exactly as an operator uses them:
 * Bulwark's routes and James's own refuse anonymous and non-admin callers, a release is recorded under
 * the token's subject, and only the console's files and James's probes are public.
 */
@ExtendWith(JamesStarterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebAdminAuthenticationTest {
    private Path keys;
    private BulwarkJames james;
    private MailClients clients;

    @BeforeAll
    void start(JamesStarter jameses) throws Exception {
        keys = jameses.workDir().resolve("jwt");
        Scripts.Result made = Scripts.script(Map.of(), "webadmin-keys.sh", keys.toString());
        assertThat(made.exitCode()).as(made.out()).isZero();
        WebAdminJwt jwt = WebAdminJwt.fromPem(keys.resolve(WebAdminJwt.PRIVATE_KEY_FILE), keys.resolve(WebAdminJwt.PUBLIC_KEY_FILE));
        james = jameses.start(jameses.workDir(), jwt, conf -> { });
        clients = new MailClients(james);
    }

    @Test
    void theKeyPairIsOwnerOnlyAndKeptOnTheNextRun() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("jwt_private.pem")))).isEqualTo("rw-------");
        String publicKey = Files.readString(keys.resolve(WebAdminJwt.PUBLIC_KEY_FILE));

        Scripts.Result again = Scripts.script(Map.of(), "webadmin-keys.sh", keys.toString());

        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).doesNotContain("made a new key pair");
        assertThat(Files.readString(keys.resolve(WebAdminJwt.PUBLIC_KEY_FILE))).isEqualTo(publicKey);
    }

    @Test
    void everyDataRouteNeedsAnAdminToken() {
        String userToken = james.jwt().token("mallory", false);
        // Every Bulwark API route, including those beside a routes class's base path (AuthenticatedPaths),
        // and James's own routes that read users, held mail and tasks.
        for (String path : List.of("/bulwark/quarantine", "/bulwark/quarantine/counts", "/bulwark/lists/allow", "/bulwark/groups",
            "/bulwark/events", "/bulwark/trace?messageId=x", "/bulwark/stats", "/bulwark/outbreak", "/bulwark/scanners",
            "/bulwark/policies", "/bulwark/policies/default", "/bulwark/policies/history", "/bulwark/policies/export",
            "/users", "/domains", "/mailRepositories", "/tasks")) {
            assertThat(clients.anonymousWebAdmin().get(path).statusCode()).as("GET %s without a token", path).isEqualTo(401);
            assertThat(clients.anonymousWebAdmin().header("Authorization", "Bearer " + userToken).get(path).statusCode())
                .as("GET %s with a non-admin token", path).isEqualTo(401);
            assertThat(clients.anonymousWebAdmin().header("Authorization", "Bearer not.a.token").get(path).statusCode())
                .as("GET %s with a forged token", path).isEqualTo(401);
            assertThat(clients.webAdmin().get(path).statusCode()).as("GET %s with an admin token", path).isEqualTo(200);
        }
        clients.anonymousWebAdmin().put("/bulwark/lists/allow/partner.example").then().statusCode(401);
        clients.anonymousWebAdmin().put("/bulwark/groups/staff/a@b.test").then().statusCode(401);
        clients.anonymousWebAdmin().post("/bulwark/quarantine?action=purge").then().statusCode(401);
        clients.anonymousWebAdmin().post("/bulwark/mailboxes?action=scan").then().statusCode(401);
        clients.anonymousWebAdmin().contentType("application/json").body("{\"spam\": {\"quarantineAt\": 6}}").put("/bulwark/policies/groups/staff")
            .then().statusCode(401);
        clients.webAdmin().get("/bulwark/policies/groups/staff").then().statusCode(404);
        clients.webAdmin().get("/bulwark/lists/allow").then().body("pattern", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("@partner.example")));
        // Public: the console's files (a browser cannot send the token when opening a page; they hold no
        // data) and James's probes, /healthcheck and /metrics (counters, no mail).
        for (String path : List.of("/bulwark/console", "/bulwark/console/console.js", "/bulwark/console/api.js", "/healthcheck", "/metrics")) {
            assertThat(clients.anonymousWebAdmin().get(path).statusCode()).as("GET %s without a token", path).isIn(200, 503);
        }
        clients.anonymousWebAdmin().get("/bulwark/console/secret.properties").then().statusCode(404);
    }

    @Test
    void aTokenFromTheScriptReleasesAndTheReleaseNamesItsSubject() throws Exception {
        Scripts.Result token = Scripts.script(Map.of("BULWARK_JWT_DIR", keys.toString()), "admin-token.sh", "--subject", "alice-admin", "--valid", "10m");
        assertThat(token.exitCode()).as(token.out()).isZero();
        String recipient = james.addUser("jwt-target");
        clients.send("mallory@outside.test", recipient, TestSamples.messageWithAttachment("mallory@outside.test", recipient, "jwt release",
            "x.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        String id = (String) clients.awaitQuarantined("jwt release").get("id");

        clients.anonymousWebAdmin().contentType("application/json").body("{\"all\": true}").post("/bulwark/quarantine/" + id + "/release")
            .then().statusCode(401);
        admin(token.line()).contentType("application/json").body("{\"all\": true}").post("/bulwark/quarantine/" + id + "/release")
            .then().statusCode(200).body("releases[0].releasedBy", equalTo("alice-admin"));
        assertThat(clients.awaitInboxMessage(recipient, 1)).contains("Subject: jwt release");
    }

    @Test
    void theTokenScriptRefusesWhatItCannotSign() {
        Scripts.Result noKey = Scripts.script(Map.of("BULWARK_JWT_DIR", keys.resolve("missing").toString()), "admin-token.sh");
        assertThat(noKey.exitCode()).isEqualTo(1);
        assertThat(noKey.out()).contains("run scripts/webadmin-keys.sh first");
        Scripts.Result badSubject = Scripts.script(Map.of("BULWARK_JWT_DIR", keys.toString()), "admin-token.sh", "--subject", "a\",\"admin\":false");
        assertThat(badSubject.exitCode()).isEqualTo(64);
    }

    private RequestSpecification admin(String token) {
        return clients.anonymousWebAdmin().header("Authorization", "Bearer " + token);
    }
}
