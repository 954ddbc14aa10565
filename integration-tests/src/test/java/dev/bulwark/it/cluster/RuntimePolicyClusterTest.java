package dev.bulwark.it.cluster;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.TwoNodeCluster;

/**
 * Two James nodes on one PostgreSQL ({@link TwoNodeCluster}, as {@link ClusterTest}): group finance's spam quarantine threshold,
 * changed over node A's webadmin, decides what happens to the next GTUBE mail for a finance member at node
 * B within store.cacheTtl, without a restart; the other recipient of the same mail follows the default.
 */
@SuppressWarnings("unchecked")
class RuntimePolicyClusterTest {
    private static final Duration CACHE_TTL = Duration.ofSeconds(2);

    @RegisterExtension
    static final TwoNodeCluster CLUSTER = new TwoNodeCluster(CACHE_TTL);

    @Test
    void aGroupsSpamThresholdChangedOnOneNodeActsOnTheOtherWithinTheCacheTime() throws Exception {
        MailClients a = new MailClients(CLUSTER.nodeA());
        MailClients b = new MailClients(CLUSTER.nodeB());
        String finance = CLUSTER.nodeB().addUser("finance-member");
        String colleague = CLUSTER.nodeB().addUser("finance-colleague");
        a.webAdmin().put("/bulwark/groups/finance/" + finance).then().statusCode(204);

        // Before: the default policy delivers spam flagged, to both.
        b.send("promo@outside.test", List.of(finance, colleague), TestSamples.plainMessage("promo@outside.test", finance, "offer one", TestSamples.GTUBE));
        assertThat(b.awaitInboxMessage(finance, 1)).contains("Subject: offer one").contains("X-Spam-Flag: YES");
        assertThat(b.awaitInboxMessage(colleague, 1)).contains("Subject: offer one");

        a.webAdminJson("{\"spam\": {\"quarantineAt\": 500}}").put("/bulwark/policies/groups/finance").then().statusCode(200);
        long changed = System.nanoTime();
        AWAIT.atMost(CACHE_TTL.plusSeconds(3)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
            b.webAdmin().get("/bulwark/policies/effective?address=" + finance).then().statusCode(200)
                .body("group", equalTo("finance")).body("policy.spam.quarantineAt", equalTo(500.0f)));
        assertThat(Duration.ofNanos(System.nanoTime() - changed)).isLessThan(CACHE_TTL.plusSeconds(3));

        b.send("promo@outside.test", List.of(finance, colleague), TestSamples.plainMessage("promo@outside.test", finance, "offer two", TestSamples.GTUBE));
        Map<String, Object> entry = b.awaitQuarantined("offer two");
        assertThat(entry).containsEntry("reason", "spam");
        assertThat((List<String>) entry.get("recipients")).containsExactly(finance);
        assertThat(b.awaitInboxMessage(colleague, 2)).isNotNull();
        AWAIT.untilAsserted(() -> assertThat(b.inboxCount(colleague)).isEqualTo(2));
        assertThat(b.inboxCount(finance)).isEqualTo(1);

        // Node A lists the change in the shared audit trail, under the admin's name.
        a.webAdmin().get("/bulwark/events?kind=policy.changed&limit=1").then().statusCode(200)
            .body("[0].details.scope", equalTo("group:finance")).body("[0].details.by", equalTo(BulwarkJames.ADMIN_SUBJECT));
    }
}
