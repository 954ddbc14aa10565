package dev.bulwark.extension.tasks;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.apache.james.json.DTOModule;
import org.apache.james.server.task.json.TaskExtensionModule;
import org.apache.james.server.task.json.dto.AdditionalInformationDTO;
import org.apache.james.server.task.json.dto.AdditionalInformationDTOModule;
import org.apache.james.server.task.json.dto.TaskDTO;
import org.apache.james.server.task.json.dto.TaskDTOModule;
import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.task.TaskType;

import dev.bulwark.extension.mailbox.MailboxScanTask;
import dev.bulwark.extension.mailbox.MailboxScanner;
import dev.bulwark.extension.mailbox.MailboxScans;
import dev.bulwark.extension.rescan.RetroactiveRescan;
import dev.bulwark.extension.rescan.RetroactiveRescanTask;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.security.SecurityStore;

/**
 * Bulwark's James tasks and their progress as JSON ({@code guice.extension.task} in extensions.properties):
 * James's distributed task manager stores and hands tasks between nodes in that form, and webadmin's
 * {@code /tasks} shows their progress ({@code additionalInformation}) through it.
 */
public class BulwarkTaskExtension implements TaskExtensionModule {
    private final QuarantineStore quarantine;
    private final SecurityStore security;
    private final java.util.function.Function<String, RetroactiveRescanTask> rescan;
    private final java.util.function.BiFunction<MailboxScanTask.Scope, String, MailboxScanTask> mailboxScan;

    @Inject
    public BulwarkTaskExtension(QuarantineStore quarantine, SecurityStore security, RetroactiveRescan rescan, MailboxScans mailboxScans) {
        this(quarantine, security, rescan::task, mailboxScans::task);
    }

    BulwarkTaskExtension(QuarantineStore quarantine, SecurityStore security, java.util.function.Function<String, RetroactiveRescanTask> rescan,
                         java.util.function.BiFunction<MailboxScanTask.Scope, String, MailboxScanTask> mailboxScan) {
        this.quarantine = quarantine;
        this.security = security;
        this.rescan = rescan;
        this.mailboxScan = mailboxScan;
    }

    @Override
    public Set<TaskDTOModule<? extends Task, ? extends TaskDTO>> taskDTOModules() {
        return Set.of(
            task(QuarantineDeletionTask.class, QuarantineDeletionTask.DELETION, DeletionDTO.class,
                dto -> new QuarantineDeletionTask(quarantine, security, dto.filter(), dto.requestedBy(), Clock.systemUTC()),
                (task, type) -> DeletionDTO.of(type, task.filter(), task.requestedBy())),
            task(QuarantineReindexTask.class, QuarantineReindexTask.TYPE, ReindexDTO.class,
                dto -> new QuarantineReindexTask(quarantine, dto.full(), dto.requestedBy(), Clock.systemUTC()),
                (task, type) -> new ReindexDTO(type, task.full(), task.requestedBy())),
            task(EventPurgeTask.class, EventPurgeTask.TYPE, EventPurgeDTO.class,
                dto -> new EventPurgeTask(security.events(), Instant.parse(dto.olderThan()), Clock.systemUTC()),
                (task, type) -> new EventPurgeDTO(type, task.olderThan().toString())),
            task(RetroactiveRescanTask.class, RetroactiveRescanTask.TYPE, RescanDTO.class,
                dto -> rescan.apply(dto.trigger()),
                (task, type) -> new RescanDTO(type, task.trigger())),
            task(MailboxScanTask.class, MailboxScanTask.TYPE, MailboxScanDTO.class,
                dto -> mailboxScan.apply(new MailboxScanTask.Scope(Optional.ofNullable(dto.user()), Optional.ofNullable(dto.domain())),
                    dto.requestedBy()),
                (task, type) -> new MailboxScanDTO(type, task.scope().user().orElse(null), task.scope().domain().orElse(null),
                    task.requestedBy())));
    }

    @Override
    public Set<AdditionalInformationDTOModule<? extends TaskExecutionDetails.AdditionalInformation, ? extends AdditionalInformationDTO>>
            taskAdditionalInformationDTOModules() {
        return Set.of(
            details(QuarantineDeletionTask.Details.class, QuarantineDeletionTask.DELETION, DeletionDetailsDTO.class,
                dto -> new QuarantineDeletionTask.Details(dto.deletedEntries(), dto.timestamp()),
                (details, type) -> new DeletionDetailsDTO(type, details.deletedEntries(), details.timestamp())),
            details(QuarantineReindexTask.Details.class, QuarantineReindexTask.TYPE, ReindexDetailsDTO.class,
                dto -> new QuarantineReindexTask.Details(dto.full(), dto.requestedBy(), dto.entries(), dto.added(), dto.rewritten(), dto.removed(),
                    dto.timestamp()),
                (details, type) -> new ReindexDetailsDTO(type, details.full(), details.requestedBy(), details.entries(), details.added(),
                    details.rewritten(), details.removed(), details.timestamp())),
            details(EventPurgeTask.Details.class, EventPurgeTask.TYPE, EventPurgeDetailsDTO.class,
                dto -> new EventPurgeTask.Details(dto.olderThan(), dto.deletedEvents(), dto.timestamp()),
                (details, type) -> new EventPurgeDetailsDTO(type, details.olderThan(), details.deletedEvents(), details.timestamp())),
            details(RetroactiveRescanTask.Details.class, RetroactiveRescanTask.TYPE, RescanDetailsDTO.class,
                RescanDetailsDTO::details, RescanDetailsDTO::of),
            details(MailboxScanTask.Details.class, MailboxScanTask.TYPE, MailboxScanDetailsDTO.class,
                MailboxScanDetailsDTO::details, MailboxScanDetailsDTO::of));
    }

    /** One task's JSON under its type's name: the DTO it is stored as, how it is made again from one, and how it becomes one. */
    private static <T extends Task, D extends TaskDTO> TaskDTOModule<T, D> task(Class<T> task, TaskType type, Class<D> dto,
                                                                                 DTOModule.DomainObjectConverter<T, D> fromDTO,
                                                                                 DTOModule.DTOConverter<T, D> toDTO) {
        return TaskDTOModule.forTask(task).convertToDTO(dto).toDomainObjectConverter(fromDTO).toDTOConverter(toDTO)
            .typeName(type.asString()).withFactory(TaskDTOModule::new);
    }

    /** One task's progress ({@code additionalInformation}) as JSON under the task type's name, as {@link #task} does for the task. */
    private static <I extends TaskExecutionDetails.AdditionalInformation, D extends AdditionalInformationDTO> AdditionalInformationDTOModule<I, D>
            details(Class<I> details, TaskType type, Class<D> dto, DTOModule.DomainObjectConverter<I, D> fromDTO, DTOModule.DTOConverter<I, D> toDTO) {
        return AdditionalInformationDTOModule.forDomainObject(details).convertToDTO(dto).toDomainObjectConverter(fromDTO).toDTOConverter(toDTO)
            .typeName(type.asString()).withFactory(AdditionalInformationDTOModule::new);
    }

    /** The deletion and the purge (a deletion of expired entries) in one form: the filter says which. */
    public record DeletionDTO(String type, String reason, String sender, String recipient, String virus, Instant after, Instant before,
                              boolean expiredOnly, String requestedBy) implements TaskDTO {
        static DeletionDTO of(String type, QuarantineFilter filter, String requestedBy) {
            return new DeletionDTO(type, filter.reason().map(QuarantineReason::asString).orElse(null), filter.sender().orElse(null),
                filter.recipient().orElse(null), filter.virus().orElse(null), filter.after().orElse(null), filter.before().orElse(null),
                filter.expiredOnly(), requestedBy);
        }

        QuarantineFilter filter() {
            return new QuarantineFilter(Optional.ofNullable(reason).map(QuarantineReason::of), Optional.ofNullable(sender),
                Optional.ofNullable(recipient), Optional.ofNullable(virus), Optional.ofNullable(after), Optional.ofNullable(before), expiredOnly);
        }

        @Override
        public String getType() {
            return type;
        }
    }

    public record ReindexDTO(String type, boolean full, String requestedBy) implements TaskDTO {
        @Override
        public String getType() {
            return type;
        }
    }

    public record ReindexDetailsDTO(String type, boolean full, String requestedBy, long entries, long added, long rewritten, long removed,
                                    Instant timestamp) implements AdditionalInformationDTO {
        @Override
        public String getType() {
            return type;
        }

        @Override
        public Instant getTimestamp() {
            return timestamp;
        }
    }

    public record EventPurgeDTO(String type, String olderThan) implements TaskDTO {
        @Override
        public String getType() {
            return type;
        }
    }

    public record RescanDTO(String type, String trigger) implements TaskDTO {
        @Override
        public String getType() {
            return type;
        }
    }

    public record MailboxScanDTO(String type, String user, String domain, String requestedBy) implements TaskDTO {
        @Override
        public String getType() {
            return type;
        }
    }

    public record MailboxScanDetailsDTO(String type, String scope, String requestedBy, long users, long mailboxes, long scanned, long found,
                                        long unjudged, java.util.List<MailboxScanner.Finding> findings, long skipped,
                                        java.util.List<MailboxScanner.Skipped> skippedMessages, Instant timestamp)
        implements AdditionalInformationDTO {
        static MailboxScanDetailsDTO of(MailboxScanTask.Details details, String type) {
            return new MailboxScanDetailsDTO(type, details.scope(), details.requestedBy(), details.users(), details.mailboxes(), details.scanned(),
                details.found(), details.unjudged(), details.findings(), details.skipped(), details.skippedMessages(), details.timestamp());
        }

        MailboxScanTask.Details details() {
            // Details stored before skips were reported have neither field.
            return new MailboxScanTask.Details(scope, requestedBy, users, mailboxes, scanned, found, unjudged, findings, skipped,
                skippedMessages == null ? java.util.List.of() : skippedMessages, timestamp);
        }

        @Override
        public String getType() {
            return type;
        }

        @Override
        public Instant getTimestamp() {
            return timestamp;
        }
    }

    public record DeletionDetailsDTO(String type, long deletedEntries, Instant timestamp) implements AdditionalInformationDTO {
        @Override
        public String getType() {
            return type;
        }

        @Override
        public Instant getTimestamp() {
            return timestamp;
        }
    }

    public record EventPurgeDetailsDTO(String type, Instant olderThan, long deletedEvents, Instant timestamp) implements AdditionalInformationDTO {
        @Override
        public String getType() {
            return type;
        }

        @Override
        public Instant getTimestamp() {
            return timestamp;
        }
    }

    public record RescanDetailsDTO(String type, String trigger, long quarantineRescanned, long nowClean, long released, long nowInfected,
                                   long deliveredScanned, long deliveredDetected, long deliveredQuarantined, long deliveredSkipped,
                                   java.util.List<MailboxScanner.Skipped> deliveredSkippedMessages, long errors, Instant timestamp)
        implements AdditionalInformationDTO {
        static RescanDetailsDTO of(RetroactiveRescanTask.Details details, String type) {
            return new RescanDetailsDTO(type, details.trigger(), details.quarantineRescanned(), details.nowClean(), details.released(),
                details.nowInfected(), details.deliveredScanned(), details.deliveredDetected(), details.deliveredQuarantined(),
                details.deliveredSkipped(), details.deliveredSkippedMessages(), details.errors(), details.timestamp());
        }

        RetroactiveRescanTask.Details details() {
            // Details stored before skips were reported have neither field.
            return new RetroactiveRescanTask.Details(trigger, quarantineRescanned, nowClean, released, nowInfected, deliveredScanned,
                deliveredDetected, deliveredQuarantined, deliveredSkipped,
                deliveredSkippedMessages == null ? java.util.List.of() : deliveredSkippedMessages, errors, timestamp);
        }

        @Override
        public String getType() {
            return type;
        }

        @Override
        public Instant getTimestamp() {
            return timestamp;
        }
    }
}
