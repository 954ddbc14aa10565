package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * A clamd that answers PING but detects nothing (its database lacks EICAR): James starts (PING works),
 * but the integrity watch reports it broken in /healthcheck, /bulwark/scanners and the event log, and
 * takes it out of the pool, so that mail is held rather than passed as clean.
 */
@ExtendWith(JamesStarterExtension.class)
class IntegrityWatchTest {
    @RegisterExtension
    static final PrivateScanners BLIND = PrivateScanners.onFreePorts().withSignatures(ScannerDaemonsExtension::signaturesWithoutEicar);

    @Test
    void aClamdThatDetectsNothingIsReportedBroken(JamesStarter jameses) throws Exception {
        int clamdPort = BLIND.clamdPort();
        try (BulwarkJames james = jameses.start(conf -> conf.setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:" + clamdPort))) {
            MailClients clients = new MailClients(james);
            james.addPostmaster();

            JsonPath integrity = AWAIT.until(() -> clients.webAdmin().get("/healthcheck/checks/Bulwark%20integrity").then().extract().jsonPath(),
                json -> "unhealthy".equals(json.getString("status")));
            assertThat(integrity.getString("cause")).contains("no clamd passes its self-test").contains("EICAR test file scanned CLEAN");
            // PING alone would say all is well (the very failure the self-test exists for); the pool has taken it out. The
            // watch publishes the state a moment before it takes the endpoint out of the pool: awaited, not read once.
            AWAIT.untilAsserted(() -> clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().body("status", equalTo("unhealthy"))
                .body("cause", containsString("EICAR test file scanned CLEAN")));

            // spamd is probed after clamd in each round: its state may come a moment later
            AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/scanners").then().statusCode(200)
                .body("integrity.find { it.daemon == 'clamd' }.condition", equalTo("BROKEN"))
                .body("integrity.find { it.daemon == 'spamd' }.condition", equalTo("HEALTHY"))
                .body("pools.clamd[0].endpoint", equalTo("127.0.0.1:" + clamdPort))
                // taken out of the pool: it would call everything clean
                .body("pools.clamd[0].inService", equalTo(false)));
            // So mail is held for a rescan, not delivered "scanned" by a clamd that detects nothing.
            String recipient = james.addUser("blind");
            clients.send("someone@example.com", recipient, dev.bulwark.scanner.testing.TestSamples.plainMessage("someone@example.com",
                recipient, "while clamd is blind", "hello"));
            AWAIT.untilAsserted(() -> assertThat(clients.held("scan-failed")).hasSize(1));
            assertThat(clients.inboxCount(recipient)).isZero();
            clients.webAdmin().get("/bulwark/events?kind=scanner.broken").then().statusCode(200)
                .body("[0].details.endpoint", equalTo("127.0.0.1:" + clamdPort))
                .body("[0].details.reason", containsString("self-test failed"));
            // ...and the postmaster is told: the alert is in the postmaster's mailbox.
            assertThat(clients.awaitPostmasterMail("[Bulwark] clamd at 127.0.0.1:" + clamdPort + " is BROKEN"))
                .contains("Auto-Submitted: auto-generated").contains("self-test failed");
        }
    }
}
