package dev.bulwark.it.faults;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.ConfFolder;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The sample configuration's file:// quarantine survives a James restart, and the purge removes
 * expired entries only. The first James keeps entries for 2 seconds; the second, on the same
 * working directory, for the sample's 30 days.
 */
@ExtendWith(JamesStarterExtension.class)
class QuarantineRestartTest {
    private static final String SENDER = "mallory@outside.test";

    @Test
    void entriesSurviveARestartAndThePurgeDeletesOnlyExpiredOnes(JamesStarter jameses) throws Exception {
        Path workDir = jameses.workDir();
        Map<String, Object> expiring;
        try (BulwarkJames james = jameses.start(workDir,
                conf -> conf.setProperty("bulwark.properties", "quarantine.retention", "2s"))) {
            expiring = sendInfected(james, "expires soon");
        }

        new ConfFolder(workDir.resolve("conf")).setProperty("bulwark.properties", "quarantine.retention", "30d");
        try (BulwarkJames james = jameses.restart(workDir)) {
            MailClients clients = new MailClients(james);
            assertThat(clients.quarantine("")).extracting(entry -> entry.get("id")).containsExactly(expiring.get("id"));
            Map<String, Object> kept = sendInfected(james, "kept");
            Instant expiry = Instant.parse((String) expiring.get("expiresAt"));
            AWAIT.until(() -> Instant.now().isAfter(expiry));

            String taskId = clients.webAdmin().post("/bulwark/quarantine?action=purge")
                .then().statusCode(201).extract().jsonPath().getString("taskId");

            assertThat(clients.awaitTask(taskId)).isEqualTo("completed");
            assertThat(clients.quarantine("")).extracting(entry -> entry.get("id")).containsExactly(kept.get("id"));
        }
    }

    private static Map<String, Object> sendInfected(BulwarkJames james, String subject) throws Exception {
        String recipient = james.addUser("restart-target");
        MailClients clients = new MailClients(james);
        clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, subject, "x.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        return clients.awaitQuarantined(subject);
    }
}
