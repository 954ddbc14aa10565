package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.ProjectPaths;

/**
 * A signature update, modelled as clamd's own would happen: a new database file (an unsigned .cud
 * built by ClamAV's sigtool, so that VERSION reports a database version) dropped into the database
 * directory of a private clamd, a false-positive signature removed, and RELOAD. The integrity watch
 * sees the new version and the retroactive rescan revisits what was judged before.
 */
@ExtendWith(JamesStarterExtension.class)
class RetroactiveRescanTest {
    static final String SENDER = "partner@example.com";
    /** Matched before the update by a heuristic-named signature (SUSPICIOUS), which the update drops. */
    static final String FALSE_POSITIVE = "BULWARK-FALSE-POSITIVE-MARKER-4e1a";
    /** Matched only by the signature the update brings. */
    static final String NEWLY_DETECTED = "BULWARK-NEW-SIGNATURE-MARKER-9b2c";
    static final int DATABASE_VERSION = 27001;

    @RegisterExtension
    static final PrivateScanners CLAMD = PrivateScanners.onFreePorts().withSignatures(RetroactiveRescanTest::signaturesWithAFalsePositive);

    /** A second clamd: each test updates its clamd's signatures, and neither may see the other's update. */
    @RegisterExtension
    static final PrivateScanners CLAMD_FOR_QUARANTINE = PrivateScanners.onFreePorts()
        .withSignatures(RetroactiveRescanTest::signaturesWithAFalsePositive);

    @Test
    void aSignatureUpdateRevisitsSuspiciousQuarantineAndReportsDeliveredMailNowDetected(JamesStarter jameses) throws Exception {
        Path workDir = jameses.workDir();
        int clamdPort = CLAMD.clamdPort();
        try (BulwarkJames james = jameses.start(conf -> conf
                .setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:" + clamdPort)
                .setProperty("bulwark.properties", "watch.interval", "1s")
                .setProperty("bulwark.properties", "rescan.minInterval", "1s"))) {
            MailClients clients = new MailClients(james);
            String alice = james.addUser("alice");
            String bob = james.addUser("bob");

            clients.send(SENDER, alice, TestSamples.plainMessage(SENDER, alice, "quarterly figures", "see " + FALSE_POSITIVE + " attached"));
            clients.send(SENDER, bob, TestSamples.plainMessage(SENDER, bob, "harmless until today", "payload " + NEWLY_DETECTED));
            Map<String, Object> suspicious = clients.awaitQuarantined("quarterly figures");
            assertThat(suspicious.get("reason")).isEqualTo("suspicious");
            assertThat(clients.awaitInboxMessage(bob, 1)).contains(NEWLY_DETECTED);
            awaitEngine(clients, "ClamAV 1.4.6");

            updateSignatures(workDir, CLAMD.databaseFolder(), clamdPort);

            JsonPath updated = AWAIT.until(() -> events(clients, "signatures.updated"), json -> !json.getList("$").isEmpty());
            assertThat(updated.getString("[0].details.engine")).endsWith("/" + DATABASE_VERSION);
            assertThat(updated.getString("[0].details.previous")).isEqualTo("ClamAV 1.4.6");
            JsonPath completed = AWAIT.until(() -> events(clients, "rescan.completed"), json -> !json.getList("$").isEmpty());
            assertThat(completed.getString("[0].details.trigger")).startsWith("signature update: clamd at 127.0.0.1:" + clamdPort);
            assertThat(completed.getString("[0].details.nowClean")).isEqualTo("1");
            assertThat(completed.getString("[0].details.deliveredDetected")).isEqualTo("1");

            // The false positive is marked "now clean" for review, not released (rescan.releaseClean is off).
            String id = (String) suspicious.get("id");
            clients.webAdmin().get("/bulwark/quarantine/" + id).then().statusCode(200)
                .body("rescan.verdict", equalTo("clean"))
                .body("rescan.engine", org.hamcrest.Matchers.endsWith("/" + DATABASE_VERSION))
                .body("releases", org.hamcrest.Matchers.empty());
            assertThat(clients.inboxCount(alice)).isZero();
            JsonPath changed = events(clients, "rescan.changed");
            assertThat(changed.getString("[0].details.quarantineId")).isEqualTo(id);
            assertThat(changed.getString("[0].details.before")).isEqualTo("suspicious");
            assertThat(changed.getString("[0].details.now")).isEqualTo("clean");

            // Bob's message is reported, and left where it is.
            JsonPath delivered = events(clients, "rescan.delivered");
            assertThat(delivered.getList("recipients", List.class)).containsExactly(List.of(bob));
            assertThat(delivered.getString("[0].details.virusNames")).startsWith("Bulwark-Test.NewSignature");
            assertThat(delivered.getString("[0].details.subject")).isEqualTo("harmless until today");
            assertThat(delivered.getString("[0].details.mailbox")).isEqualTo("INBOX");
            assertThat(clients.inboxCount(bob)).isEqualTo(1);

            // The rescan ran as a James task; an admin can start one too.
            clients.webAdmin().get("/tasks").then().statusCode(200)
                .body("find { it.type == 'bulwark-retroactive-rescan' }.status", equalTo("completed"));
            String taskId = clients.webAdmin().post("/bulwark/quarantine?action=rescan").then().statusCode(201)
                .extract().jsonPath().getString("taskId");
            assertThat(clients.awaitTask(taskId)).isEqualTo("completed");
            // its progress, through BulwarkTaskExtension (guice.extension.task)
            clients.webAdmin().get("/tasks/" + taskId).then().statusCode(200)
                .body("type", equalTo("bulwark-retroactive-rescan"))
                .body("additionalInformation.trigger", org.hamcrest.Matchers.startsWith("requested by"))
                .body("additionalInformation.quarantineRescanned", equalTo(1));
            clients.webAdmin().post("/bulwark/quarantine?action=rescue").then().statusCode(400)
                .body("message", equalTo("action 'rescue' is not supported, expected purge, rescan or reindex"));
            // A verdict that did not change again is no new event.
            AWAIT.untilAsserted(() -> assertThat(events(clients, "rescan.completed").getList("$")).hasSize(2));
            assertThat(events(clients, "rescan.changed").getList("$")).hasSize(1);
        }
    }

    @Test
    void withTheQuarantineActionDeliveredMailNowDetectedIsTakenOutAndAnOnDemandScanSaysWhatItFoundWhere(JamesStarter jameses) throws Exception {
        Path workDir = jameses.workDir();
        int clamdPort = CLAMD_FOR_QUARANTINE.clamdPort();
        try (BulwarkJames james = jameses.start(conf -> conf
                 .setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:" + clamdPort)
                 .setProperty("bulwark.properties", "watch.interval", "1s")
                 // started by hand below, after the on-demand scan
                 .setProperty("bulwark.properties", "rescan.onSignatureUpdate", "false")
                 .setProperty("bulwark.properties", "rescan.deliveredAction", "quarantine"))) {
            MailClients clients = new MailClients(james);
            String bob = james.addUser("bob");
            String dave = james.addUser("dave");
            clients.send(SENDER, bob, TestSamples.plainMessage(SENDER, bob, "harmless until today", "payload " + NEWLY_DETECTED));
            clients.send(SENDER, dave, TestSamples.plainMessage(SENDER, dave, "also harmless until today", "payload " + NEWLY_DETECTED));
            assertThat(clients.awaitInboxMessage(bob, 1)).contains(NEWLY_DETECTED);
            assertThat(clients.awaitInboxMessage(dave, 1)).contains(NEWLY_DETECTED);
            awaitEngine(clients, "ClamAV 1.4.6");

            updateSignatures(workDir, CLAMD_FOR_QUARANTINE.databaseFolder(), clamdPort);
            AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/scanners").then().statusCode(200)
                .body("integrity.find { it.daemon == 'clamd' }.engine", org.hamcrest.Matchers.endsWith("/" + DATABASE_VERSION)));

            // An on-demand scan of one user: a James task whose result says what it found and where.
            String scanId = clients.webAdmin().post("/bulwark/mailboxes?action=scan&user=" + dave).then().statusCode(201)
                .extract().jsonPath().getString("taskId");
            assertThat(clients.awaitTask(scanId)).isEqualTo("completed");
            JsonPath scan = clients.webAdmin().get("/tasks/" + scanId).then().statusCode(200).extract().jsonPath();
            assertThat(scan.getInt("additionalInformation.found")).isEqualTo(1);
            assertThat(scan.getString("additionalInformation.findings[0].owner")).isEqualTo(dave);
            assertThat(scan.getString("additionalInformation.findings[0].mailbox")).isEqualTo("INBOX");
            assertThat(scan.getString("additionalInformation.findings[0].subject")).isEqualTo("also harmless until today");
            assertThat(scan.getString("additionalInformation.findings[0].verdict")).isEqualTo("virus");
            assertThat(scan.getList("additionalInformation.findings[0].names", String.class)).singleElement().asString()
                .startsWith("Bulwark-Test.NewSignature");
            assertThat(scan.getString("additionalInformation.findings[0].quarantineId")).isNotBlank();
            AWAIT.untilAsserted(() -> assertThat(clients.inboxCount(dave)).isZero());

            // The retroactive rescan, with rescan.deliveredAction=quarantine: bob's message is taken out, not only reported.
            String rescanId = clients.webAdmin().post("/bulwark/quarantine?action=rescan").then().statusCode(201)
                .extract().jsonPath().getString("taskId");
            assertThat(clients.awaitTask(rescanId)).isEqualTo("completed");
            clients.webAdmin().get("/tasks/" + rescanId).then().statusCode(200)
                .body("additionalInformation.deliveredDetected", equalTo(1))
                .body("additionalInformation.deliveredQuarantined", equalTo(1));
            assertThat(clients.inboxCount(bob)).isZero();
            Map<String, Object> taken = clients.awaitQuarantined("harmless until today");
            assertThat(taken).containsEntry("reason", "virus").containsEntry("origin", Map.of("owner", bob, "mailbox", "INBOX"));
            JsonPath delivered = events(clients, "rescan.delivered");
            assertThat(delivered.getString("[0].details.action")).isEqualTo("quarantined");
            assertThat(delivered.getString("[0].details.quarantineId")).isEqualTo(taken.get("id"));
        }
    }

    /** Writes into {@code signatures} the project's signatures plus a heuristic-named one that matches FALSE_POSITIVE (SUSPICIOUS). */
    static Path signaturesWithAFalsePositive(Path signatures) throws java.io.IOException {
        try (DirectoryStream<Path> shipped = Files.newDirectoryStream(ProjectPaths.signatures())) {
            for (Path file : shipped) {
                Files.copy(file, signatures.resolve(file.getFileName()));
            }
        }
        Files.writeString(signatures.resolve("false-positive.ndb"), signature("Heuristics.Bulwark-Test.FalsePositive", FALSE_POSITIVE));
        return signatures;
    }

    static JsonPath events(MailClients clients, String kind) {
        return clients.webAdmin().get("/bulwark/events?kind=" + kind).then().statusCode(200).extract().jsonPath();
    }

    static void awaitEngine(MailClients clients, String engine) {
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/scanners").then().statusCode(200)
            .body("integrity.find { it.daemon == 'clamd' }.engine", equalTo(engine)));
    }

    static String signature(String name, String marker) {
        return name + ":0:*:" + HexFormat.of().formatHex(marker.getBytes(StandardCharsets.US_ASCII)) + "\n";
    }

    /** What freshclam does, by hand: a new versioned database in clamd's directory, one dropped, then RELOAD. */
    static void updateSignatures(Path workDir, Path database, int clamdPort) throws Exception {
        Path build = Files.createDirectories(workDir.resolve("update"));
        Files.writeString(build.resolve("COPYING"), "Bulwark test signatures\n");
        Files.writeString(build.resolve("daily.ndb"), signature("Bulwark-Test.NewSignature", NEWLY_DETECTED));
        Process sigtool = new ProcessBuilder("sigtool", "--build=daily.cud", "--unsigned", "--cvd-version=" + DATABASE_VERSION)
            .directory(build.toFile()).redirectErrorStream(true).start();
        try (OutputStream builder = sigtool.getOutputStream()) {
            builder.write("bulwark-test\n".getBytes(StandardCharsets.US_ASCII)); // sigtool asks for the builder's name
        }
        String output = new String(sigtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sigtool.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(build.resolve("daily.cud")).as("sigtool output:\n" + output).exists();

        Files.copy(build.resolve("daily.cud"), database.resolve("daily.cud"));
        Files.delete(database.resolve("false-positive.ndb"));
        try (Socket socket = new Socket("127.0.0.1", clamdPort)) {
            socket.getOutputStream().write("zRELOAD\0".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).startsWith("RELOADING");
        }
    }

}
