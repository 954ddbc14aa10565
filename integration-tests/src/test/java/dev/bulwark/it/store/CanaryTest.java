package dev.bulwark.it.store;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The pipeline canary in a real James: a mailetcontainer.xml that stops scanning (VirusScan removed, or set to
 * fail open) keeps the scanners healthy, but the canary catches it within one interval and /healthcheck turns
 * unhealthy, with an event and an admin alert; the sample pipeline passes it. Canaries never show in the
 * statistics, the quarantine, notices or any mailbox. One working directory, James restarted on each change.
 */
@ExtendWith(JamesStarterExtension.class)
class CanaryTest {
    /** The sample's VirusScan, as written in james-conf/mailetcontainer.xml. */
    private static final String VIRUS_SCAN = "<mailet match=\"All\" class=\"dev.bulwark.mailets.VirusScan\">\n"
        + "                <unscannableProcessor>unscannable</unscannableProcessor>\n"
        + "                <failOpen>false</failOpen>\n"
        + "            </mailet>";

    @Test
    void aPipelineThatStopsScanningIsCaughtWithinOneIntervalAndTheSamplePassesWithoutATrace(JamesStarter jameses) throws Exception {
        Path workDir = jameses.workDir();
        Path sample = workDir.resolve("conf").resolve("mailetcontainer.xml");
        String[] samplePipeline = new String[1];
        // VirusScan removed: the scanners stay healthy, mail flows unscanned, and only the canary can tell.
        try (BulwarkJames james = jameses.start(workDir, conf -> {
            conf.setProperty("bulwark.properties", "canary.interval", "2s")
                .setProperty("bulwark.properties", "canary.deadline", "30s");
            try {
                samplePipeline[0] = Files.readString(conf.file("mailetcontainer.xml"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(samplePipeline[0]).as("the sample's VirusScan, as this test removes it").contains(VIRUS_SCAN);
            conf.replace("mailetcontainer.xml", VIRUS_SCAN, "<!-- VirusScan removed -->");
        })) {
            MailClients clients = new MailClients(james);
            JsonPath canary = awaitCanary(clients, "unhealthy");
            assertThat(canary.getString("cause")).contains("virus: missed (EICAR reached delivery");
            assertThat(clients.webAdmin().get("/healthcheck").then().statusCode(503).extract().jsonPath().getString("status"))
                .isEqualTo("unhealthy");
            clients.webAdmin().get("/healthcheck/checks/Bulwark%20integrity").then().statusCode(200);
            AWAIT.untilAsserted(() -> assertThat(events(clients, "canary.missed").getList("details.virus", String.class))
                .first().asString().startsWith("MISSED: EICAR reached delivery"));
            AWAIT.untilAsserted(() -> assertThat(events(clients, "notice.sent").getList("details.subject", String.class))
                .contains("[Bulwark] Pipeline canary missed: mail may pass unscanned"));
            assertNoTrace(clients);
        }

        // VirusScan back, but failing open: EICAR is caught, mail no scanner could judge would pass.
        Files.writeString(sample, samplePipeline[0].replace("<failOpen>false</failOpen>", "<failOpen>true</failOpen>"));
        try (BulwarkJames james = jameses.restart(workDir)) {
            MailClients clients = new MailClients(james);
            JsonPath canary = awaitCanary(clients, "unhealthy");
            assertThat(canary.getString("cause")).contains("virus: passed (quarantined as virus)")
                .contains("scan-failure: missed").contains("failOpen=true");
            assertNoTrace(clients);
        }

        // The sample as shipped: quarantined, flagged, held; healthy again.
        Files.writeString(sample, samplePipeline[0]);
        try (BulwarkJames james = jameses.restart(workDir)) {
            MailClients clients = new MailClients(james);
            String bystander = james.addUser("bystander");
            awaitCanary(clients, "healthy");
            assertNoTrace(clients);
            assertThat(clients.inboxCount(bystander)).isZero();
            assertThat(events(clients, "notice.sent").getList("details.subject", String.class))
                .as("notices: only the alert of the broken pipeline, none about a carrier")
                .containsOnly("[Bulwark] Pipeline canary missed: mail may pass unscanned");
        }
    }

    private static JsonPath awaitCanary(MailClients clients, String status) {
        return AWAIT.atMost(java.time.Duration.ofSeconds(60)).until(() -> clients.webAdmin().get("/healthcheck/checks/Bulwark%20canary")
            .then().extract().jsonPath(), json -> status.equals(json.getString("status")));
    }

    /** Carriers are judged, then gone: not in the statistics, the quarantine, the hold, or the event log's verdicts. */
    private static void assertNoTrace(MailClients clients) {
        Map<String, Object> totals = clients.webAdmin().get("/bulwark/stats?window=1h").then().statusCode(200)
            .extract().jsonPath().getMap("totals");
        assertThat(totals).doesNotContainKeys("verdict.infected", "verdict.clean", "verdict.error", "quarantine.stored", "spam.spam",
            "canary.reached");
        assertThat(clients.webAdmin().get("/bulwark/stats?window=1h").then().extract().jsonPath().getList("topViruses")).isEmpty();
        assertThat(clients.quarantine("")).isEmpty();
        AWAIT.until(clients::nothingHeldForARescan);
        assertThat(clients.repositoryKeys("var/mail/error")).isEmpty();
        assertThat(clients.webAdmin().get("/bulwark/events?kind=verdict.infected").then().extract().jsonPath().getList("$")).isEmpty();
    }

    private static JsonPath events(MailClients clients, String kind) {
        return clients.webAdmin().get("/bulwark/events?kind=" + kind).then().statusCode(200).extract().jsonPath();
    }
}
