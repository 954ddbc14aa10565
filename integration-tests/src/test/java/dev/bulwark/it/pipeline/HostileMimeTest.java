package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.matchers.testing.HostileMime;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * The malformed-MIME corpus over SMTP through the sample pipeline, with real clamd: every sample that
 * hides an executable behind broken or unusual MIME (a broken boundary, an unterminated quote, two
 * Content-Type headers, RFC 2231 and encoded-word names, uuencode, winmail.dat, absurd nesting, bad
 * base64, fragments...) is quarantined with its reason in the verdict, none reaches the mailbox; the
 * honest unusual mail of the corpus is delivered.
 */
@ExtendWith(BulwarkJamesExtension.class)
@SuppressWarnings("unchecked")
class HostileMimeTest {
    private static final String SENDER = "mallory@outside.test";

    @Test
    void nothingHiddenInMalformedMimeIsDeliveredAndHonestMailIs(BulwarkJames james, MailClients clients) throws Exception {
        String target = james.addUser("mime-target");
        String honest = james.addUser("mime-honest");
        List<HostileMime.Sample> hostile = HostileMime.hostile(SENDER, target);
        List<HostileMime.Sample> benign = HostileMime.benign("friend@outside.test", honest);
        assertThat(hostile).hasSizeGreaterThanOrEqualTo(20);
        for (HostileMime.Sample sample : hostile) {
            clients.send(SENDER, target, sample.message());
        }
        for (HostileMime.Sample sample : benign) {
            clients.send("friend@outside.test", honest, sample.message());
        }

        AWAIT.atMost(Duration.ofMinutes(2)).untilAsserted(() ->
            assertThat(clients.quarantine("recipient=" + target + "&limit=1000")).hasSize(hostile.size()));
        AWAIT.atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(clients.inboxCount(honest)).isEqualTo(benign.size()));
        assertThat(clients.inboxCount(target)).isZero();
        assertThat(clients.quarantine("recipient=" + honest)).isEmpty();

        Map<String, Map<String, Object>> entries = new java.util.HashMap<>();
        clients.quarantine("recipient=" + target + "&limit=1000").forEach(entry -> entries.put((String) entry.get("subject"), entry));
        for (HostileMime.Sample sample : hostile) {
            Map<String, Object> entry = entries.get(sample.subject());
            assertThat(entry).as(sample.kind()).isNotNull();
            Map<String, String> verdict = (Map<String, String>) entry.get("verdict");
            if ("banned".equals(entry.get("reason"))) {
                // the executable itself, or the part that hides it, named in the verdict
                assertThat(verdict.get("bulwark.banned.reason")).as(sample.kind())
                    .containsAnyOf(".exe", "application/x-msdownload", "uninspectable: ");
            } else {
                // clamd got there first: a heuristic (a broken executable, nesting beyond its limits)
                assertThat(entry.get("reason")).as(sample.kind() + ": " + entry).isEqualTo("suspicious");
                assertThat((List<String>) entry.get("virusNames")).as(sample.kind()).allMatch(name -> name.startsWith("Heuristics."));
            }
        }
        assertThat(clients.repositoryKeys("var/mail/error")).as("var/mail/error").isEmpty();
        assertThat(clients.nothingHeldForARescan()).as("nothing held as scan-failed").isTrue();
    }
}
