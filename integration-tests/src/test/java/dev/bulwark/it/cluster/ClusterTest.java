package dev.bulwark.it.cluster;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.security.PostgresServer;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Two James nodes sharing Bulwark's security store on a real PostgreSQL (Debian's, started on
 * loopback): a list change made over one node's webadmin acts on mail at the other within
 * store.cacheTtl, and each node sees the other's events.
 */
@ExtendWith(JamesStarterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTest {
    private PostgresServer postgres;
    private BulwarkJames nodeA;
    private BulwarkJames nodeB;

    @BeforeAll
    void start(JamesStarter jameses) throws Exception {
        postgres = PostgresServer.start();
        nodeA = node(jameses, "a");
        nodeB = node(jameses, "b");
    }

    /** Both nodes run in this JVM: their SMTP and IMAP servers need their own JMX names. */
    private BulwarkJames node(JamesStarter jameses, String name) throws Exception {
        return jameses.start(conf -> conf
            .replace("smtpserver.xml", "<jmxName>smtpserver-global</jmxName>", "<jmxName>smtpserver-" + name + "</jmxName>")
            .replace("imapserver.xml", "<jmxName>imapserver</jmxName>", "<jmxName>imapserver-" + name + "</jmxName>")
            .setProperty("bulwark.properties", "store.url", postgres.jdbcUrl())
            .setProperty("bulwark.properties", "store.user", "bulwark")
            .setProperty("bulwark.properties", "store.password", "bulwark")
            .setProperty("bulwark.properties", "store.cacheTtl", "1s"));
    }

    /** The nodes stop before the database they share (JamesStarter then removes their work directories). */
    @AfterAll
    void stop() {
        for (BulwarkJames node : new BulwarkJames[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aBlockListEntryMadeOnOneNodeActsOnTheOther() throws Exception {
        MailClients a = new MailClients(nodeA);
        MailClients b = new MailClients(nodeB);
        String recipient = nodeB.addUser("cluster-target");

        a.webAdmin().put("/bulwark/lists/block/cluster-spammer.test").then().statusCode(204);
        b.webAdmin().get("/bulwark/lists/block").then().statusCode(200).body("pattern", hasItem("@cluster-spammer.test"));

        b.send("bulk@cluster-spammer.test", recipient, TestSamples.plainMessage("bulk@cluster-spammer.test", recipient, "cluster blocked", "hi"));
        Map<String, Object> entry = b.awaitQuarantined("cluster blocked");
        assertThat(entry).containsEntry("reason", "policy");

        // Node B's quarantine event is in the shared log, so node A lists it.
        AWAIT.atMost(Duration.ofSeconds(30)).untilAsserted(() -> a.webAdmin().get("/bulwark/events?kind=quarantine.stored&recipient=" + recipient)
            .then().statusCode(200).body("size()", equalTo(1)).body("[0].details.quarantineId", equalTo(entry.get("id"))));
        a.webAdmin().delete("/bulwark/lists/block/cluster-spammer.test").then().statusCode(204);
    }
}
