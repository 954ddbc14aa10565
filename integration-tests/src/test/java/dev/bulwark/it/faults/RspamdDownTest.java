package dev.bulwark.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.SpamEngineDown;

/**
 * As SpamdDownTest, with rspamd as the spam engine: with no rspamd answering, mail is still virus-scanned and
 * delivered, saying the spam check failed, and health reports the missing rspamd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RspamdDownTest {
    @RegisterExtension
    static final BulwarkJamesExtension JAMES = SpamEngineDown.rspamd();

    private final BulwarkJames james;
    private final MailClients clients;

    RspamdDownTest(BulwarkJames james, MailClients clients) {
        this.james = james;
        this.clients = clients;
    }

    @Test
    void mailIsDeliveredSayingTheSpamCheckFailed() throws Exception {
        String recipient = james.addUser("no-rspamd");
        clients.send("sender@example.com", recipient, TestSamples.plainMessage("sender@example.com", recipient, "no rspamd", TestSamples.GTUBE));

        String delivered = clients.awaitInboxMessage(recipient, 1);
        assertThat(delivered).contains("X-Bulwark-Virus: clean").containsPattern("X-Bulwark-Spam: not checked: \\S")
            .doesNotContain("X-Spam-Flag");
        clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then()
            .body("status", org.hamcrest.Matchers.equalTo("degraded"))
            .body("cause", org.hamcrest.Matchers.containsString("rspamd at 127.0.0.1:"));
    }
}
