package dev.bulwark.it;

import static dev.bulwark.it.MailClients.AWAIT;
import static dev.bulwark.it.RetroactiveRescanTest.FALSE_POSITIVE;
import static dev.bulwark.it.RetroactiveRescanTest.SENDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * With {@code rescan.releaseClean=true}: a false positive dropped by a signature update is released by
 * the retroactive rescan itself and reaches its recipient's mailbox (the same update as in
 * {@link RetroactiveRescanTest}).
 */
@ExtendWith(ScannerDaemonsExtension.class)
class RetroactiveReleaseTest {
    private Path workDir;

    @AfterEach
    void cleanUp() {
        if (workDir != null) {
            WorkDirs.delete(workDir);
        }
    }

    @Test
    void aFalsePositiveIsReleasedOnceTheUpdateDropsIt(ScannerDaemons daemons) throws Exception {
        workDir = WorkDirs.create();
        Path signatures = RetroactiveRescanTest.signaturesWithAFalsePositive(workDir);
        Path clamdRun = workDir.resolve("clamd");
        int clamdPort = Ports.unused();
        try (AutoCloseable clamd = ScannerDaemonsExtension.startPrivateDaemons(clamdRun, clamdPort, Ports.unused(), Optional.of(signatures));
             BulwarkJames james = BulwarkJames.start(workDir.resolve("james"), daemons, BulwarkJames.Ports.ANY, conf -> conf
                 .setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:" + clamdPort)
                 .setProperty("bulwark.properties", "watch.interval", "1s")
                 .setProperty("bulwark.properties", "rescan.releaseClean", "true"))) {
            MailClients clients = new MailClients(james);
            String carol = james.addUser("carol");
            clients.send(SENDER, carol, TestSamples.plainMessage(SENDER, carol, "held by mistake", "see " + FALSE_POSITIVE));
            Map<String, Object> suspicious = clients.awaitQuarantined("held by mistake");
            assertThat(suspicious.get("reason")).isEqualTo("suspicious");
            RetroactiveRescanTest.awaitEngine(clients, "ClamAV 1.4.6");

            RetroactiveRescanTest.updateSignatures(workDir, clamdRun.resolve("db"), clamdPort);

            assertThat(clients.awaitInboxMessage(carol, 1)).contains("Subject: held by mistake").contains(FALSE_POSITIVE);
            String id = (String) suspicious.get("id");
            clients.webAdmin().get("/bulwark/quarantine/" + id).then().statusCode(200)
                .body("rescan.verdict", equalTo("clean"))
                .body("releases[0].releasedBy", equalTo("retroactive rescan"))
                .body("releases[0].recipients", org.hamcrest.Matchers.contains(carol));
            AWAIT.untilAsserted(() -> assertThat(RetroactiveRescanTest.events(clients, "quarantine.released").getString("[0].details.releasedBy"))
                .isEqualTo("retroactive rescan"));
        }
    }
}
