package dev.bulwark.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.ConfFolder;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.ConsoleBrowser;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.ProjectPaths;
import dev.bulwark.it.fixtures.Scripts;

/**
 * Remote administration over HTTPS as docs/SECURITY.md sets it up: james-conf/remote-https/webadmin.properties
 * as conf/webadmin.properties, a keystore made with keytool at test time (the docs' command), the JWT key
 * pair. Only this run's listening address and the keystore's location are changed. Webadmin answers over
 * TLS with that certificate only, and the console works over it in chromium, release included.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebAdminHttpsTest {
    private static final String SAMPLE = "remote-https/webadmin.properties";
    private static final String KEYSTORE = "webadmin-keystore.p12";

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(WebAdminHttpsTest::httpsAsDocumented);

    private BulwarkJames james;
    private MailClients clients;
    private KeyStore trusted;
    private ConsoleBrowser browser;

    /** The docs' setup: the sample file, keytool's keystore with the sample's password, on this run's address. */
    private static void httpsAsDocumented(ConfFolder conf) {
        try {
            Files.copy(ProjectPaths.jamesConf().resolve(SAMPLE), conf.file("webadmin.properties"), StandardCopyOption.REPLACE_EXISTING);
            Path keystore = conf.file(KEYSTORE);
            List<String> keytool = List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "webadmin", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=mail.example.com", "-ext", "SAN=dns:mail.example.com,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", samplePassword());
            Process process = new ProcessBuilder(keytool).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            conf.setProperty("webadmin.properties", "host", "127.0.0.1")
                .setProperty("webadmin.properties", "port", "0")
                // Jetty reads a relative keystore path from the directory James started in; this JVM's is elsewhere.
                .setProperty("webadmin.properties", "https.keystore", keystore.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String samplePassword() throws IOException {
        Properties sample = new Properties();
        try (InputStream in = Files.newInputStream(ProjectPaths.jamesConf().resolve(SAMPLE))) {
            sample.load(in);
        }
        return sample.getProperty("https.password");
    }

    @BeforeAll
    void start(BulwarkJames james) throws Exception {
        this.james = james;
        this.clients = new MailClients(james);
        trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(james.workDir().resolve("conf").resolve(KEYSTORE))) {
            trusted.load(in, samplePassword().toCharArray());
        }
        // Chromium accepts exactly this test certificate (its public key), nothing else it cannot verify.
        Certificate certificate = trusted.getCertificate("webadmin");
        String spki = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
        browser = ConsoleBrowser.openWithoutToken(webAdmin(), "--ignore-certificate-errors-spki-list=" + spki);
        browser.logIn(james.adminToken());
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void webadminAnswersOverTlsWithItsCertificateAndAToken() {
        https().get("/bulwark/scanners").then().statusCode(200);
        RestAssured.given().baseUri("https://127.0.0.1").port(james.webAdminPort()).trustStore(trusted)
            .get("/bulwark/quarantine").then().statusCode(401);
        // Plain HTTP on the same port is not served.
        assertThat(Scripts.command("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + james.webAdminPort() + "/healthcheck")
            .out()).isNotEqualTo("200");
        // The name in cors.origin is webadmin's too: its Host and its https origin are accepted; the same name over http is another origin.
        https().header("Host", "mail.example.com:8000").header("Origin", "https://mail.example.com:8000").get("/bulwark/quarantine/counts")
            .then().statusCode(200);
        https().header("Origin", "http://mail.example.com:8000").get("/bulwark/quarantine/counts").then().statusCode(403);
        https().header("Host", "attacker.example:" + james.webAdminPort()).get("/bulwark/quarantine/counts").then().statusCode(403);
    }

    @Test
    void theConsoleWorksOverHttpsAndReleasesAnEntry() throws Exception {
        String olga = james.addUser("https-olga");
        clients.send("mallory@outside.test", olga, TestSamples.messageWithAttachment("mallory@outside.test", olga, "https release",
            "invoice.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        String id = MailClients.AWAIT.until(() -> https().get("/bulwark/quarantine?recipient=" + olga).then().statusCode(200)
            .extract().jsonPath().<Map<String, Object>>getList("entries"), entries -> !entries.isEmpty()).get(0).get("id").toString();

        browser.openView("dashboard");
        browser.awaitText(By.id("integrity-table"), "clamd");
        browser.openView("quarantine");
        browser.awaitVisible(By.id("quarantine-range"));
        browser.type(By.cssSelector("#quarantine-filter input[name=recipient]"), olga);
        browser.click(By.id("quarantine-search"));
        WebElement row = browser.waiting().until(driver -> driver.findElements(By.cssSelector("#quarantine-table tr.entry")).stream()
            .filter(r -> r.getAttribute("data-id").equals(id)).findFirst().orElse(null));
        row.findElement(By.cssSelector("button.inspect")).click();
        browser.awaitText(By.id("headers-table"), "https release");
        browser.click(By.id("release-button"));
        browser.click(By.id("confirm-yes"));
        browser.awaitText(By.id("notice"), "Released to " + olga);
        assertThat(browser.driver().getCurrentUrl()).startsWith("https://127.0.0.1:");
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("error")));

        assertThat(clients.awaitInboxMessage(olga, 1)).contains("Subject: https release");
        https().get("/bulwark/quarantine/" + id).then().body("releases[0].releasedBy", equalTo(BulwarkJames.ADMIN_SUBJECT));
    }

    private RequestSpecification https() {
        return RestAssured.given().baseUri("https://127.0.0.1").port(james.webAdminPort()).trustStore(trusted).urlEncodingEnabled(false)
            .header("Authorization", "Bearer " + james.adminToken());
    }

    private String webAdmin() {
        return "https://127.0.0.1:" + james.webAdminPort();
    }
}
