package dev.bulwark.it.admin;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;

import io.restassured.path.json.JsonPath;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/** Security events, message trace and statistics after a known mix of mail, in the real James. */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class EventsTest {
    private static final String SENDER = "mix@outside.test";
    private final BulwarkJames james;
    private final MailClients clients;

    EventsTest(BulwarkJames james, MailClients clients) {
        this.james = james;
        this.clients = clients;
    }

    @Test
    void anEicarMailsTraceShowsItsVerdictAndQuarantine() throws Exception {
        String recipient = james.addUser("trace-target");
        String message = TestSamples.messageWithAttachment(SENDER, recipient, "trace me", "x.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
        String messageId = messageId(message);
        clients.send(SENDER, recipient, message);

        JsonPath trace = AWAIT.until(() -> clients.webAdmin().queryParam("messageId", messageId).urlEncodingEnabled(true)
                .get("/bulwark/trace").then().statusCode(200).extract().jsonPath(),
            json -> json.getList("events.kind").stream().filter("notice.suppressed"::equals).count() == 2);
        // Scanned, quarantined, the admin told; the recipient not (the default policy's notices.recipients is off),
        // the (outside, possibly forged) sender not.
        assertThat(trace.getList("events.kind", String.class))
            .containsExactly("verdict.infected", "quarantine.stored", "notice.sent", "notice.suppressed", "notice.suppressed");
        assertThat(trace.getList("events.findAll { it.kind == 'notice.suppressed' }.details.kind", String.class))
            .containsExactlyInAnyOrder("recipient", "sender");
        assertThat(trace.getString("events[0].details.virusNames")).startsWith("Bulwark-Test.EICAR");
        assertThat(trace.getString("events[0].sender")).isEqualTo(SENDER);
        assertThat(trace.getList("events[1].recipients", String.class)).containsExactly(recipient);
        clients.webAdmin().get("/bulwark/trace").then().statusCode(400);
    }

    @Test
    void statisticsCountAKnownMix() throws Exception {
        String recipient = james.addUser("stats-target");
        Map<String, Long> before = totals();
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "clean one", "hello"));
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "clean two", "hello again"));
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "spam one", TestSamples.GTUBE));
        clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, "virus one", "x.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));

        // The four mails are processed concurrently: wait for the last of their events.
        Map<String, Long> expected = Map.of("verdict.clean", 3L, "verdict.infected", 1L, "spam.ham", 2L, "spam.spam", 1L, "quarantine.stored", 1L);
        AWAIT.untilAsserted(() -> {
            Map<String, Long> after = totals();
            expected.forEach((kind, count) -> assertThat(delta(before, after, kind)).as(kind).isEqualTo(count));
        });
        JsonPath stats = clients.webAdmin().get("/bulwark/stats?window=1h").then().statusCode(200).extract().jsonPath();
        assertThat(stats.getList("topViruses.name", String.class)).anySatisfy(name -> assertThat(name).startsWith("Bulwark-Test.EICAR"));
        assertThat(stats.getList("topTargetedRecipients.name", String.class)).contains(recipient);
        assertThat(stats.getList("series")).isNotEmpty();
        clients.webAdmin().get("/bulwark/stats?window=1y").then().statusCode(400);
        // The same counts, and the pools' usage, in James's metrics.
        String metrics = clients.webAdmin().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("bulwark_verdict_infected\\S* [1-9]").containsPattern("bulwark_spam_spam\\S* [1-9]")
            .contains("bulwark_clamd_127_0_0_1_").contains("_in_service")
            // per-endpoint latency: a timer for each clamd and spamd exchange
            .containsPattern("bulwark_clamd_127_0_0_1_\\d+_scan\\S*count\\S* [1-9]")
            .containsPattern("bulwark_spamd_127_0_0_1_\\d+_scan\\S*count\\S* [1-9]");
        // ...and in GET /bulwark/scanners, per endpoint.
        JsonPath scanners = clients.webAdmin().get("/bulwark/scanners").then().statusCode(200).extract().jsonPath();
        assertThat(scanners.getLong("pools.clamd[0].latency.scans")).isPositive();
        assertThat(scanners.getDouble("pools.clamd[0].latency.meanMillis")).isPositive();
        assertThat(scanners.getDouble("pools.clamd[0].latency.maxMillis")).isGreaterThanOrEqualTo(scanners.getDouble("pools.clamd[0].latency.meanMillis"));
        assertThat(scanners.getLong("pools.spamd[0].latency.scans")).isPositive();
    }

    /** The test smtpserver.xml accepts any size (maxmessagesize 0), more than clamd's 25M: said once at start-up. */
    @Test
    void aSmtpLimitAboveTheScanLimitIsReportedAtStartup() {
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=config.size-limit").then().statusCode(200)
            .body("size()", org.hamcrest.Matchers.equalTo(1))
            .body("[0].details.smtpServer", org.hamcrest.Matchers.equalTo("smtpserver-global"))
            .body("[0].details.scanLimit", org.hamcrest.Matchers.equalTo(Long.toString(25L * 1024 * 1024))));
    }

    /** Recent events are within store.eventRetention (90 days): the purge task runs and keeps them. */
    @Test
    void theEventPurgeIsAJamesTaskAndKeepsRecentEvents() throws Exception {
        String recipient = james.addUser("purge-events");
        clients.send(SENDER, recipient, TestSamples.plainMessage(SENDER, recipient, "kept event", "hello"));
        AWAIT.untilAsserted(() -> clients.webAdmin().get("/bulwark/events?kind=verdict.clean&recipient=" + recipient)
            .then().body("size()", org.hamcrest.Matchers.equalTo(1)));

        String taskId = clients.webAdmin().post("/bulwark/events?action=purge").then().statusCode(201).extract().jsonPath().getString("taskId");

        assertThat(clients.awaitTask(taskId)).isEqualTo("completed");
        clients.webAdmin().get("/tasks/" + taskId).then().body("type", org.hamcrest.Matchers.equalTo("bulwark-event-purge"));
        clients.webAdmin().get("/bulwark/events?kind=verdict.clean&recipient=" + recipient).then().body("size()", org.hamcrest.Matchers.equalTo(1));
        clients.webAdmin().post("/bulwark/events?action=nuke").then().statusCode(400);
    }

    private Map<String, Long> totals() {
        Map<String, Object> totals = clients.webAdmin().get("/bulwark/stats?window=1h").then().statusCode(200).extract().jsonPath().getMap("totals");
        Map<String, Long> result = new java.util.HashMap<>();
        totals.forEach((kind, count) -> result.put(kind, ((Number) count).longValue()));
        return result;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String kind) {
        return after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L);
    }

    private static String messageId(String message) {
        Matcher matcher = Pattern.compile("(?m)^Message-ID: (\\S+)\r?$").matcher(message);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

}
