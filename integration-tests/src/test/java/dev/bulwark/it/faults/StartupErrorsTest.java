package dev.bulwark.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.ConfFolder;
import dev.bulwark.launcher.WebAdminJwt;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * A wrong configuration stops James at start-up with one line naming the file, the key and what is
 * expected. Each test starts (and fails to start) its own James: that is the behaviour under test.
 */
@ExtendWith(JamesStarterExtension.class)
class StartupErrorsTest {
    @Test
    void missingBulwarkPropertiesIsNamed(JamesStarter jameses) {
        assertThat(startupError(jameses, conf -> conf.delete("bulwark.properties")))
            .startsWith("bulwark.properties: not found in James's conf folder");
    }

    @Test
    void missingRequiredKeyIsNamed(JamesStarter jameses) {
        assertThat(startupError(jameses, conf -> conf.setProperty("bulwark.properties", "spamd.endpoints", "")))
            .isEqualTo("bulwark.properties: spamd.endpoints is missing, expected host:port[,host:port...]");
    }

    @Test
    void wrongValueNamesKeyValueAndWhatIsExpected(JamesStarter jameses) {
        assertThat(startupError(jameses, conf -> conf.setProperty("bulwark.properties", "clamd.readTimeout", "soon")))
            .startsWith("bulwark.properties: clamd.readTimeout is 'soon', expected a duration such as 30s or 500ms");
        assertThat(startupError(jameses, conf -> conf.setProperty("bulwark.properties", "clamd.endpoints", "clamav")))
            .startsWith("bulwark.properties: clamd.endpoints is 'clamav', expected host:port[;weight=N][,host:port...]");
    }

    @Test
    void unknownKeyIsATypoNotADefault(JamesStarter jameses) {
        assertThat(startupError(jameses, conf -> conf.setProperty("bulwark.properties", "clamd.endpoint", "127.0.0.1:3310")))
            .startsWith("bulwark.properties: unknown key clamd.endpoint, expected one of [");
    }

    @Test
    void unreachableScannerStopsStartUp(JamesStarter jameses) throws IOException {
        int closedPort = Ports.unused();
        String endpoint = "127.0.0.1:" + closedPort;
        assertThat(startupError(jameses, conf -> conf.setProperty("bulwark.properties", "clamd.endpoints", endpoint)))
            .startsWith("bulwark.properties: clamd.endpoints: clamd at " + endpoint + " does not answer PING");
    }

    @Test
    void unknownMailetParameterIsNamed(JamesStarter jameses) {
        assertThat(startupError(jameses, conf -> conf.replace("mailetcontainer.xml",
            "<failOpen>false</failOpen>", "<failOpne>true</failOpne>")))
            .isEqualTo("mailetcontainer.xml: mailet dev.bulwark.mailets.VirusScan: unknown parameter [failOpne],"
                + " expected one of [failOpen, quarantineProcessor, scanFailedProcessor, unscannableProcessor]");
    }

    @Test
    void aNoticeProcessorMissingFromTheMailetContainerIsNamedWithTheProcessorsThereAre(JamesStarter jameses) {
        assertThat(startupError(jameses, conf -> conf.setProperty("bulwark.properties", "mailbox.noticeProcessor", "quarantne")))
            .startsWith("bulwark.properties: mailbox.noticeProcessor is 'quarantne', which is no processor of mailetcontainer.xml;"
                + " expected one of [")
            .contains(", quarantine, ", ", root, ", ", transport")
            .endsWith("], or none for no notices");
    }

    @Test
    void aReleaseProcessorMissingFromTheMailetContainerStopsJamesToo(JamesStarter jameses) {
        assertThat(startupError(jameses, conf -> conf.setProperty("bulwark.properties", "quarantine.releaseProcessor", "roott")))
            .startsWith("bulwark.properties: quarantine.releaseProcessor is 'roott', which is no processor of mailetcontainer.xml;"
                + " expected one of [")
            .contains(", root, ");
    }

    @Test
    void brokenNoticeTemplateNamesFileAndLine(JamesStarter jameses) {
        assertThat(startupError(jameses, conf -> conf
            .write("bulwark-templates/en/admin.mustache", "Subject: [Bulwark] {{reason}}\n\n{{#virusNames}}\nnever closed\n")
            .replace("mailetcontainer.xml", "class=\"dev.bulwark.mailets.NotifyAdmin\">\n",
                "class=\"dev.bulwark.mailets.NotifyAdmin\">\n<templateDirectory>" + conf.path().resolve("bulwark-templates") + "</templateDirectory>\n")))
            .startsWith("mailetcontainer.xml: mailet dev.bulwark.mailets.NotifyAdmin: template en/admin.mustache does not compile")
            .endsWith("@[en/admin.mustache:3]");
    }

    @Test
    void webadminWithoutAuthenticationIsRefusedUnlessWaivedOnPurpose(JamesStarter jameses) throws Exception {
        assertThat(startupError(jameses, conf -> conf.setProperty("webadmin.properties", "jwt.enabled", "false")))
            .startsWith("webadmin.properties: jwt.enabled is not true, so anything that reaches webadmin could list, download and release"
                + " quarantined mail")
            .endsWith("or webadmin.allowUnauthenticated=true in bulwark.properties to run without authentication on purpose");

        // The explicit opt-in: James starts, Bulwark's routes answer without a token, and web pages of other origins are still refused.
        try (BulwarkJames james = jameses.start(conf -> conf
            .setProperty("webadmin.properties", "jwt.enabled", "false")
            .setProperty("bulwark.properties", "webadmin.allowUnauthenticated", "true"))) {
            MailClients clients = new MailClients(james);
            clients.anonymousWebAdmin().get("/bulwark/quarantine").then().statusCode(200);
            clients.anonymousWebAdmin().header("Origin", "http://attacker.example").contentType("application/json").body("{\"all\": true}")
                .post("/bulwark/quarantine/00000000-0000-0000-0000-000000000000/release").then().statusCode(403);
            clients.anonymousWebAdmin().header("Host", "attacker.example").get("/bulwark/quarantine").then().statusCode(403);
        }
    }

    @Test
    void webadminAnsweringEveryOriginIsRefused(JamesStarter jameses) {
        String expected = "so James answers every web page with Access-Control-Allow-Origin: *; expected the one origin the console"
            + " is opened from, such as http://127.0.0.1:8000";
        assertThat(startupError(jameses, conf -> conf.replace("webadmin.properties", "cors.origin=http://127.0.0.1:8000", "")))
            .isEqualTo("webadmin.properties: cors.origin is not set, " + expected);
        assertThat(startupError(jameses, conf -> conf.setProperty("webadmin.properties", "cors.origin", "*")))
            .isEqualTo("webadmin.properties: cors.origin is '*', " + expected);
        assertThat(startupError(jameses, conf -> conf.setProperty("webadmin.properties", "cors.origin", "http://127.0.0.1:8000/console")))
            .startsWith("webadmin.properties: cors.origin is 'http://127.0.0.1:8000/console', expected one origin such as http://127.0.0.1:8000");
        assertThat(startupError(jameses, conf -> conf.setProperty("bulwark.properties", "webadmin.allowedOrigins", "mail.example.com")))
            .startsWith("bulwark.properties: webadmin.allowedOrigins is 'mail.example.com', expected origins such as https://mail.example.com:8000");
    }

    /** James 3.8.1 itself refuses to start without the key file, naming it (before Bulwark's own check would). */
    @Test
    void aMissingWebadminPublicKeyStopsJames(JamesStarter jameses) {
        Throwable thrown = null;
        try (BulwarkJames james = jameses.start(conf -> conf.delete(WebAdminJwt.PUBLIC_KEY_FILE))) {
            // reaching here is the failure reported below
        } catch (Throwable e) {
            thrown = e;
        }
        assertThat(thrown).as("James should refuse to start").isNotNull();
        assertThat(thrown).hasStackTraceContaining("FileNotFoundException").hasStackTraceContaining("conf/jwt_publickey");
    }

    /** Starts James with the edited configuration and returns Bulwark's start-up error line. */
    private String startupError(JamesStarter jameses, Consumer<ConfFolder> edits) {
        Throwable thrown = null;
        try (BulwarkJames james = jameses.start(edits)) {
            // reaching here is the failure reported below
        } catch (Throwable e) {
            thrown = e;
        }
        assertThat(thrown).as("James should refuse to start").isNotNull();
        List<String> messages = new ArrayList<>();
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            messages.add(String.valueOf(cause.getMessage()));
        }
        String line = messages.stream()
            .filter(message -> message.startsWith("bulwark.properties:") || message.startsWith("mailetcontainer.xml:")
                || message.startsWith("webadmin.properties:"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Bulwark start-up line in " + messages));
        assertThat(line).doesNotContain("\n");
        return line;
    }
}
