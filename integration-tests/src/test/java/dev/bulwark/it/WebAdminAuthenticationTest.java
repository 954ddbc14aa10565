package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;
import io.restassured.specification.RequestSpecification;

/**
 * With James's webadmin JWT authentication on, Bulwark's routes refuse anonymous requests, and a
 * release is recorded under the token's subject; only the console's static files are public.
 */
@ExtendWith(ScannerDaemonsExtension.class)
class WebAdminAuthenticationTest {
    private Path workDir;

    @AfterEach
    void cleanUp() {
        if (workDir != null) {
            WorkDirs.delete(workDir);
        }
    }

    @Test
    void bulwarkRoutesNeedAnAdminTokenAndReleasesNameItsSubject(ScannerDaemons daemons) throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        workDir = WorkDirs.create();
        try (BulwarkJames james = BulwarkJames.start(workDir, daemons, BulwarkJames.Ports.ANY, conf -> {
            try {
                Files.writeString(conf.file("jwt_publickey"), "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            conf.setProperty("webadmin.properties", "jwt.enabled", "true")
                .setProperty("webadmin.properties", "jwt.publickeypem.url", "file://conf/jwt_publickey");
        })) {
            MailClients clients = new MailClients(james);
            String adminToken = Jwts.builder().setSubject("alice-admin").claim("admin", true)
                .signWith(keys.getPrivate(), SignatureAlgorithm.RS256).compact();
            String userToken = Jwts.builder().setSubject("mallory").claim("admin", false)
                .signWith(keys.getPrivate(), SignatureAlgorithm.RS256).compact();

            // Every Bulwark API route, including those beside a routes class's base path (AuthenticatedPaths).
            for (String path : List.of("/bulwark/quarantine", "/bulwark/quarantine/counts", "/bulwark/lists/allow", "/bulwark/groups",
                "/bulwark/events", "/bulwark/trace?messageId=x", "/bulwark/stats", "/bulwark/outbreak", "/bulwark/scanners")) {
                assertThat(clients.webAdmin().get(path).statusCode()).as("GET %s without a token", path).isEqualTo(401);
                assertThat(clients.webAdmin().header("Authorization", "Bearer " + userToken).get(path).statusCode())
                    .as("GET %s with a non-admin token", path).isEqualTo(401);
                assertThat(admin(clients, adminToken).get(path).statusCode()).as("GET %s with an admin token", path).isEqualTo(200);
            }
            clients.webAdmin().put("/bulwark/lists/allow/partner.example").then().statusCode(401);
            clients.webAdmin().put("/bulwark/groups/staff/a@b.test").then().statusCode(401);
            clients.webAdmin().post("/bulwark/mailboxes?action=scan").then().statusCode(401);
            // The console's files are public (a browser cannot send the token when opening a page) and hold no data.
            for (String path : List.of("/bulwark/console", "/bulwark/console/console.js", "/bulwark/console/api.js")) {
                clients.webAdmin().get(path).then().statusCode(200);
            }
            clients.webAdmin().get("/bulwark/console/secret.properties").then().statusCode(404);

            String recipient = james.addUser("jwt-target");
            clients.send("mallory@outside.test", recipient, TestSamples.messageWithAttachment("mallory@outside.test", recipient, "jwt release",
                "x.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
            String id = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                admin(clients, adminToken).get("/bulwark/quarantine").then().statusCode(200).extract().jsonPath()
                    .<Map<String, Object>>getList("entries").stream().filter(e -> "jwt release".equals(e.get("subject")))
                    .map(e -> (String) e.get("id")).findFirst(), java.util.Optional::isPresent).orElseThrow();

            clients.webAdmin().post("/bulwark/quarantine/" + id + "/release").then().statusCode(401);
            admin(clients, adminToken).post("/bulwark/quarantine/" + id + "/release")
                .then().statusCode(200).body("releases[0].releasedBy", equalTo("alice-admin"));
            assertThat(clients.awaitInboxMessage(recipient, 1)).contains("Subject: jwt release");
        }
    }

    private static RequestSpecification admin(MailClients clients, String token) {
        return clients.webAdmin().header("Authorization", "Bearer " + token);
    }
}
