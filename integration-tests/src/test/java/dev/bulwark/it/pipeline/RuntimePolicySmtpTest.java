package dev.bulwark.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;
import dev.bulwark.it.fixtures.SmtpTimeRejection;

/**
 * SmtpScanHook with {@code usePolicy} (james-conf/smtp-time-rejection/smtpserver.xml, its own reject settings
 * replaced): a group whose policy says reject has infected mail and spam over its rejectAt refused during
 * the SMTP transaction when all recipients are its members; with another recipient whose policy does not
 * say reject, the mail is accepted and each recipient's part follows its own policy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class RuntimePolicySmtpTest {
    private static final String SENDER = "remote@outside.test";

    @RegisterExtension
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(SmtpTimeRejection::byPolicy);

    private final BulwarkJames james;
    private final MailClients clients;

    RuntimePolicySmtpTest(BulwarkJames james, MailClients clients) {
        this.james = james;
        this.clients = clients;
    }

    private record Reply(int code, String text) {
    }

    private Reply send(List<String> recipients, String message) throws IOException {
        SMTPClient smtp = new SMTPClient();
        smtp.connect("127.0.0.1", james.smtpPort());
        try {
            smtp.helo("outside.test");
            smtp.setSender(SENDER);
            for (String recipient : recipients) {
                smtp.addRecipient(recipient);
            }
            smtp.sendShortMessageData(message);
            return new Reply(smtp.getReplyCode(), smtp.getReplyString());
        } finally {
            smtp.disconnect();
        }
    }

    @Test
    void mailIsRefusedAtSmtpTimeOnlyWhenEveryRecipientsPolicySaysReject() throws Exception {
        String strict = james.addUser("smtp-policy-strict");
        String other = james.addUser("smtp-policy-other");
        clients.webAdmin().put("/bulwark/groups/refusers/" + strict).then().statusCode(204);
        clients.webAdminJson("{\"actions\": {\"virus\": \"reject\"}, \"spam\": {\"quarantineAt\": 100, \"rejectAt\": 500}}")
            .put("/bulwark/policies/groups/refusers").then().statusCode(200);

        Reply virus = send(List.of(strict), TestSamples.messageWithAttachment(SENDER, strict, "policy virus", "notes.txt",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        assertThat(virus.code()).isEqualTo(554);
        assertThat(virus.text()).contains("5.7.1 Rejected: virus found");

        Reply spam = send(List.of(strict), TestSamples.plainMessage(SENDER, strict, "policy spam", TestSamples.GTUBE));
        assertThat(spam.code()).isEqualTo(550);
        assertThat(spam.text()).contains("5.7.1 Rejected as spam");

        // Another recipient whose policy does not refuse: accepted; in the pipeline a reject quarantines.
        Reply mixed = send(List.of(strict, other), TestSamples.plainMessage(SENDER, strict, "policy spam mixed", TestSamples.GTUBE));
        assertThat(mixed.code()).isEqualTo(250);
        Map<String, Object> entry = clients.awaitQuarantined("policy spam mixed");
        assertThat(entry).containsEntry("reason", "spam");
        assertThat((List<String>) entry.get("recipients")).containsExactly(strict);
        assertThat(clients.awaitInboxMessage(other, 1)).contains("Subject: policy spam mixed").contains("X-Spam-Flag: YES");
        assertThat(clients.quarantine("limit=1000")).noneMatch(e -> "policy virus".equals(e.get("subject")) || "policy spam".equals(e.get("subject")));
    }
}
