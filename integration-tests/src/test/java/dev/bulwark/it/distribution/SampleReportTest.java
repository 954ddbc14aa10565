package dev.bulwark.it.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.launcher.SampleReport;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;

/**
 * The report of the main job (scripts/run-local.sh, the README's first command) against a real James
 * with real scanners: one line per sample mail, saying what the README says it says.
 */
@ExtendWith(BulwarkJamesExtension.class)
class SampleReportTest {
    @Test
    void saysTheCleanAndSpamMailsWereDeliveredWithTheirVerdictsAndTheVirusQuarantined(BulwarkJames james) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        new SampleReport(james, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

        assertThat(printed.toString(StandardCharsets.UTF_8).lines()).containsSubsequence(
            "Sending three sample mails over SMTP...",
            "KIND   SUBJECT           RECIPIENT            WHAT HAPPENED");
        assertThat(printed.toString(StandardCharsets.UTF_8).lines().filter(line -> line.matches("(clean|spam|virus) .*")))
            .satisfiesExactly(
                clean -> assertThat(clean).matches("clean  Lunch on Friday   alice@bulwark\\.test   delivered to INBOX; "
                    + "X-Bulwark-Virus: clean \\(ClamAV [^)]+ at 127\\.0\\.0\\.1:\\d+\\); X-Spam-Flag: NO \\(score -?\\d+\\.\\d+\\)"),
                spam -> assertThat(spam).matches("spam   You have won      bob@bulwark\\.test     delivered to INBOX; "
                    + "X-Bulwark-Virus: clean \\(.*\\); X-Spam-Flag: YES \\(score 1\\d{3}\\.\\d\\)"),
                virus -> assertThat(virus).matches("virus  Your invoice      carol@bulwark\\.test   quarantined as [0-9a-f-]{36} "
                    + "\\(virus: \\[Bulwark-Test\\.EICAR.*\\]\\); INBOX holds 0 message\\(s\\)"));
    }
}
