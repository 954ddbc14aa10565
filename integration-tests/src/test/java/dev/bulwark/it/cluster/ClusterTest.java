package dev.bulwark.it.cluster;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.TwoNodeCluster;

/**
 * Two James nodes sharing Bulwark's security store on a real PostgreSQL (Debian's, started on
 * loopback): a list change made over one node's webadmin acts on mail at the other within
 * store.cacheTtl, and each node sees the other's events.
 */
class ClusterTest {
    @RegisterExtension
    static final TwoNodeCluster CLUSTER = new TwoNodeCluster(Duration.ofSeconds(1));

    @Test
    void aBlockListEntryMadeOnOneNodeActsOnTheOther() throws Exception {
        MailClients a = new MailClients(CLUSTER.nodeA());
        MailClients b = new MailClients(CLUSTER.nodeB());
        String recipient = CLUSTER.nodeB().addUser("cluster-target");

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
