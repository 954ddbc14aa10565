package dev.bulwark.extension.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.apache.james.server.task.json.JsonTaskAdditionalInformationSerializer;
import org.apache.james.server.task.json.JsonTaskSerializer;
import org.apache.james.server.task.json.dto.AdditionalInformationDTOModule;
import org.apache.james.server.task.json.dto.TaskDTOModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.extension.mailbox.MailboxScanTask;
import dev.bulwark.extension.mailbox.MailboxScanner;
import dev.bulwark.extension.rescan.RetroactiveRescanTask;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SecurityStoreConfig;

/** Bulwark's tasks and their progress survive the JSON form James's distributed task manager keeps them in. */
class BulwarkTaskExtensionTest {
    @TempDir
    Path dir;

    @Test
    void tasksAndTheirProgressRoundTripThroughJson() throws Exception {
        try (SecurityStore security = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("s.db").toString()), Clock.systemUTC())) {
            BulwarkTaskExtension extension = new BulwarkTaskExtension(null, security, trigger -> new RetroactiveRescanTask(null, trigger, Clock.systemUTC()),
                (scope, requestedBy) -> new MailboxScanTask(null, scope, requestedBy, Clock.systemUTC()));
            JsonTaskSerializer tasks = JsonTaskSerializer.of(extension.taskDTOModules().toArray(TaskDTOModule[]::new));

            QuarantineFilter filter = new QuarantineFilter(Optional.of(QuarantineReason.SPAM), Optional.of("@spam.test"), Optional.empty(),
                Optional.empty(), Optional.of(Instant.parse("2026-11-01T00:00:00Z")), Optional.empty(), false);
            QuarantineDeletionTask deletion = (QuarantineDeletionTask) tasks.deserialize(tasks.serialize(
                new QuarantineDeletionTask(null, security, filter, "admin", Clock.systemUTC())));
            assertThat(deletion.filter()).isEqualTo(filter);
            assertThat(deletion.requestedBy()).isEqualTo("admin");
            assertThat(deletion.type()).isEqualTo(QuarantineDeletionTask.DELETION);

            QuarantineDeletionTask purge = (QuarantineDeletionTask) tasks.deserialize(tasks.serialize(
                QuarantineDeletionTask.purge(null, security, "purge schedule", Clock.systemUTC())));
            assertThat(purge.type()).isEqualTo(QuarantineDeletionTask.PURGE);

            EventPurgeTask eventPurge = new EventPurgeTask(security.events(), Duration.ofDays(90), Clock.systemUTC());
            assertThat(((EventPurgeTask) tasks.deserialize(tasks.serialize(eventPurge))).olderThan()).isEqualTo(eventPurge.olderThan());

            String json = tasks.serialize(new RetroactiveRescanTask(null, "signature update: clamd now ClamAV 1.4.6/27001", Clock.systemUTC()));
            assertThat(json).contains("\"type\":\"bulwark-retroactive-rescan\"");
            assertThat(((RetroactiveRescanTask) tasks.deserialize(json)).trigger()).isEqualTo("signature update: clamd now ClamAV 1.4.6/27001");

            MailboxScanTask mailboxScan = (MailboxScanTask) tasks.deserialize(tasks.serialize(new MailboxScanTask(null,
                new MailboxScanTask.Scope(Optional.empty(), Optional.of("bulwark.test")), "admin", Clock.systemUTC())));
            assertThat(mailboxScan.scope()).isEqualTo(new MailboxScanTask.Scope(Optional.empty(), Optional.of("bulwark.test")));
            assertThat(mailboxScan.requestedBy()).isEqualTo("admin");

            JsonTaskAdditionalInformationSerializer progress = JsonTaskAdditionalInformationSerializer.of(
                extension.taskAdditionalInformationDTOModules().toArray(AdditionalInformationDTOModule[]::new));
            Instant now = Instant.parse("2026-12-01T12:00:00Z");
            for (Object details : java.util.List.of(new QuarantineDeletionTask.Details(7, now), new EventPurgeTask.Details(now, 3, now),
                    new RetroactiveRescanTask.Details("manual", 5, 1, 0, 2, 40, 1, 1, 1, java.util.List.of(new MailboxScanner.Skipped(
                        "bob@bulwark.test", "INBOX", 4, Optional.of("delivered tagged"), Optional.of("<m2@x>"), "policy-delivered")), 0, now),
                    new MailboxScanTask.Details("domain bulwark.test", "admin", 2, 5, 120, 1, 0, java.util.List.of(new MailboxScanner.Finding(
                        "alice@bulwark.test", "INBOX", 7, Optional.of("invoice"), Optional.of("<m1@x>"), "virus", java.util.List.of("Eicar"),
                        Optional.of("0f1e2d3c-0000-0000-0000-000000000001"))), 1, java.util.List.of(new MailboxScanner.Skipped(
                        "alice@bulwark.test", "INBOX", 3, Optional.of("released invoice"), Optional.empty(), "released")), now))) {
                org.apache.james.task.TaskExecutionDetails.AdditionalInformation information =
                    (org.apache.james.task.TaskExecutionDetails.AdditionalInformation) details;
                assertThat(progress.deserialize(progress.serialize(information))).isEqualTo(information);
            }
            // A mailbox scan's details stored before skips were reported: read as none skipped.
            String stored = progress.serialize(new MailboxScanTask.Details("user a@bulwark.test", "admin", 1, 1, 2, 0, 0, java.util.List.of(), 0,
                java.util.List.of(), now)).replace(",\"skipped\":0,\"skippedMessages\":[]", "");
            assertThat(stored).doesNotContain("skipped");
            assertThat(((MailboxScanTask.Details) progress.deserialize(stored)).skippedMessages()).isEmpty();
            // A retroactive rescan's details stored before skipped delivered mail was reported: read as none skipped.
            String storedRescan = progress.serialize(new RetroactiveRescanTask.Details("manual", 0, 0, 0, 0, 3, 0, 0, 0, java.util.List.of(), 0,
                now)).replace(",\"deliveredSkipped\":0,\"deliveredSkippedMessages\":[]", "");
            assertThat(storedRescan).doesNotContain("Skipped");
            assertThat(((RetroactiveRescanTask.Details) progress.deserialize(storedRescan)).deliveredSkippedMessages()).isEmpty();
        }
    }
}
