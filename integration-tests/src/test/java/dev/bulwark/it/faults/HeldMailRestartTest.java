package dev.bulwark.it.faults;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.ConfFolder;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Mail held because no clamd answered survives a James restart (held mail is in the sample's file://
 * quarantine store) and is delivered once a clamd answers after the restart.
 */
@ExtendWith({ScannerDaemonsExtension.class, JamesStarterExtension.class})
class HeldMailRestartTest {
    @Test
    void heldMailSurvivesARestartAndIsDeliveredAfterwards(JamesStarter jameses, ScannerDaemons daemons) throws Exception {
        Path workDir = jameses.workDir();
        String recipient;
        try (BulwarkJames james = jameses.start(workDir, conf -> conf
                .setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:" + Ports.unused())
                .setProperty("bulwark.properties", "startup.requireScanners", "false"))) {
            MailClients clients = new MailClients(james);
            recipient = james.addUser("held-across-restart");
            clients.send("sender@example.com", recipient, TestSamples.plainMessage("sender@example.com", recipient, "held across restart", "hi"));
            AWAIT.until(() -> clients.held("scan-failed").size() == 1);
        }

        new ConfFolder(workDir.resolve("conf"))
            .setProperty("bulwark.properties", "clamd.endpoints", daemons.clamdAddress())
            .setProperty("bulwark.properties", "rescan.interval", "1s");
        try (BulwarkJames james = jameses.restart(workDir)) {
            james.addUser("held-across-restart");
            MailClients clients = new MailClients(james);

            assertThat(clients.awaitInboxMessage(recipient, 1)).contains("Subject: held across restart").contains("X-Bulwark-Virus: clean");
            AWAIT.until(clients::nothingHeldForARescan);
        }
    }
}
