package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static dev.bulwark.it.store.RetroactiveRescanTest.FALSE_POSITIVE;
import static dev.bulwark.it.store.RetroactiveRescanTest.SENDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * With {@code rescan.releaseClean=true}: a false positive dropped by a signature update is released by
 * the retroactive rescan itself and reaches its recipient's mailbox (the same update as in
 * {@link RetroactiveRescanTest}).
 */
@ExtendWith(JamesStarterExtension.class)
class RetroactiveReleaseTest {
    @RegisterExtension
    static final PrivateScanners CLAMD = PrivateScanners.onFreePorts().withSignatures(RetroactiveRescanTest::signaturesWithAFalsePositive);

    @Test
    void aFalsePositiveIsReleasedOnceTheUpdateDropsIt(JamesStarter jameses) throws Exception {
        int clamdPort = CLAMD.clamdPort();
        try (BulwarkJames james = jameses.start(conf -> conf
                .setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:" + clamdPort)
                .setProperty("bulwark.properties", "watch.interval", "1s")
                .setProperty("bulwark.properties", "rescan.releaseClean", "true"))) {
            MailClients clients = new MailClients(james);
            String carol = james.addUser("carol");
            clients.send(SENDER, carol, TestSamples.plainMessage(SENDER, carol, "held by mistake", "see " + FALSE_POSITIVE));
            Map<String, Object> suspicious = clients.awaitQuarantined("held by mistake");
            assertThat(suspicious.get("reason")).isEqualTo("suspicious");
            RetroactiveRescanTest.awaitEngine(clients, "ClamAV 1.4.6");

            RetroactiveRescanTest.updateSignatures(jameses.workDir(), CLAMD.databaseFolder(), clamdPort);

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
