package dev.bulwark.extension;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.apache.james.server.task.json.TaskExtensionModule;
import org.apache.james.server.task.json.dto.AdditionalInformationDTO;
import org.apache.james.server.task.json.dto.AdditionalInformationDTOModule;
import org.apache.james.server.task.json.dto.TaskDTO;
import org.apache.james.server.task.json.dto.TaskDTOModule;
import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

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

    @Inject
    public BulwarkTaskExtension(QuarantineStore quarantine, SecurityStore security, RetroactiveRescan rescan) {
        this(quarantine, security, rescan::task);
    }

    BulwarkTaskExtension(QuarantineStore quarantine, SecurityStore security, java.util.function.Function<String, RetroactiveRescanTask> rescan) {
        this.quarantine = quarantine;
        this.security = security;
        this.rescan = rescan;
    }

    @Override
    public Set<TaskDTOModule<? extends Task, ? extends TaskDTO>> taskDTOModules() {
        return Set.of(
            TaskDTOModule.forTask(QuarantineDeletionTask.class)
                .convertToDTO(DeletionDTO.class)
                .toDomainObjectConverter(dto -> new QuarantineDeletionTask(quarantine, security, dto.filter(), dto.requestedBy, Clock.systemUTC()))
                .toDTOConverter((task, type) -> DeletionDTO.of(type, task.filter(), task.requestedBy()))
                .typeName(QuarantineDeletionTask.DELETION.asString())
                .withFactory(TaskDTOModule::new),
            TaskDTOModule.forTask(EventPurgeTask.class)
                .convertToDTO(EventPurgeDTO.class)
                .toDomainObjectConverter(dto -> new EventPurgeTask(security.events(), Instant.parse(dto.olderThan), Clock.systemUTC()))
                .toDTOConverter((task, type) -> new EventPurgeDTO(type, task.olderThan().toString()))
                .typeName(EventPurgeTask.TYPE.asString())
                .withFactory(TaskDTOModule::new),
            TaskDTOModule.forTask(RetroactiveRescanTask.class)
                .convertToDTO(RescanDTO.class)
                .toDomainObjectConverter(dto -> rescan.apply(dto.trigger))
                .toDTOConverter((task, type) -> new RescanDTO(type, task.trigger()))
                .typeName(RetroactiveRescanTask.TYPE.asString())
                .withFactory(TaskDTOModule::new));
    }

    @Override
    public Set<AdditionalInformationDTOModule<? extends TaskExecutionDetails.AdditionalInformation, ? extends AdditionalInformationDTO>>
            taskAdditionalInformationDTOModules() {
        return Set.of(
            AdditionalInformationDTOModule.forDomainObject(QuarantineDeletionTask.Details.class)
                .convertToDTO(DeletionDetailsDTO.class)
                .toDomainObjectConverter(dto -> new QuarantineDeletionTask.Details(dto.deletedEntries, dto.timestamp))
                .toDTOConverter((details, type) -> new DeletionDetailsDTO(type, details.deletedEntries(), details.timestamp()))
                .typeName(QuarantineDeletionTask.DELETION.asString())
                .withFactory(AdditionalInformationDTOModule::new),
            AdditionalInformationDTOModule.forDomainObject(EventPurgeTask.Details.class)
                .convertToDTO(EventPurgeDetailsDTO.class)
                .toDomainObjectConverter(dto -> new EventPurgeTask.Details(dto.olderThan, dto.deletedEvents, dto.timestamp))
                .toDTOConverter((details, type) -> new EventPurgeDetailsDTO(type, details.olderThan(), details.deletedEvents(), details.timestamp()))
                .typeName(EventPurgeTask.TYPE.asString())
                .withFactory(AdditionalInformationDTOModule::new),
            AdditionalInformationDTOModule.forDomainObject(RetroactiveRescanTask.Details.class)
                .convertToDTO(RescanDetailsDTO.class)
                .toDomainObjectConverter(RescanDetailsDTO::details)
                .toDTOConverter(RescanDetailsDTO::of)
                .typeName(RetroactiveRescanTask.TYPE.asString())
                .withFactory(AdditionalInformationDTOModule::new));
    }

    /** The deletion and the purge (a deletion of expired entries) in one form: the filter says which. */
    public static final class DeletionDTO implements TaskDTO {
        public final String type;
        public final String reason;
        public final String sender;
        public final String recipient;
        public final String virus;
        public final Instant after;
        public final Instant before;
        public final boolean expiredOnly;
        public final String requestedBy;

        @JsonCreator
        public DeletionDTO(@JsonProperty("type") String type, @JsonProperty("reason") String reason, @JsonProperty("sender") String sender,
                           @JsonProperty("recipient") String recipient, @JsonProperty("virus") String virus,
                           @JsonProperty("after") Instant after, @JsonProperty("before") Instant before,
                           @JsonProperty("expiredOnly") boolean expiredOnly, @JsonProperty("requestedBy") String requestedBy) {
            this.type = type;
            this.reason = reason;
            this.sender = sender;
            this.recipient = recipient;
            this.virus = virus;
            this.after = after;
            this.before = before;
            this.expiredOnly = expiredOnly;
            this.requestedBy = requestedBy;
        }

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

    public static final class EventPurgeDTO implements TaskDTO {
        public final String type;
        public final String olderThan;

        @JsonCreator
        public EventPurgeDTO(@JsonProperty("type") String type, @JsonProperty("olderThan") String olderThan) {
            this.type = type;
            this.olderThan = olderThan;
        }

        @Override
        public String getType() {
            return type;
        }
    }

    public static final class RescanDTO implements TaskDTO {
        public final String type;
        public final String trigger;

        @JsonCreator
        public RescanDTO(@JsonProperty("type") String type, @JsonProperty("trigger") String trigger) {
            this.type = type;
            this.trigger = trigger;
        }

        @Override
        public String getType() {
            return type;
        }
    }

    public static final class DeletionDetailsDTO implements AdditionalInformationDTO {
        public final String type;
        public final long deletedEntries;
        public final Instant timestamp;

        @JsonCreator
        public DeletionDetailsDTO(@JsonProperty("type") String type, @JsonProperty("deletedEntries") long deletedEntries,
                                  @JsonProperty("timestamp") Instant timestamp) {
            this.type = type;
            this.deletedEntries = deletedEntries;
            this.timestamp = timestamp;
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

    public static final class EventPurgeDetailsDTO implements AdditionalInformationDTO {
        public final String type;
        public final Instant olderThan;
        public final long deletedEvents;
        public final Instant timestamp;

        @JsonCreator
        public EventPurgeDetailsDTO(@JsonProperty("type") String type, @JsonProperty("olderThan") Instant olderThan,
                                    @JsonProperty("deletedEvents") long deletedEvents, @JsonProperty("timestamp") Instant timestamp) {
            this.type = type;
            this.olderThan = olderThan;
            this.deletedEvents = deletedEvents;
            this.timestamp = timestamp;
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

    public static final class RescanDetailsDTO implements AdditionalInformationDTO {
        public final String type;
        public final String trigger;
        public final long quarantineRescanned;
        public final long nowClean;
        public final long released;
        public final long nowInfected;
        public final long deliveredScanned;
        public final long deliveredDetected;
        public final long errors;
        public final Instant timestamp;

        @JsonCreator
        public RescanDetailsDTO(@JsonProperty("type") String type, @JsonProperty("trigger") String trigger,
                                @JsonProperty("quarantineRescanned") long quarantineRescanned, @JsonProperty("nowClean") long nowClean,
                                @JsonProperty("released") long released, @JsonProperty("nowInfected") long nowInfected,
                                @JsonProperty("deliveredScanned") long deliveredScanned, @JsonProperty("deliveredDetected") long deliveredDetected,
                                @JsonProperty("errors") long errors, @JsonProperty("timestamp") Instant timestamp) {
            this.type = type;
            this.trigger = trigger;
            this.quarantineRescanned = quarantineRescanned;
            this.nowClean = nowClean;
            this.released = released;
            this.nowInfected = nowInfected;
            this.deliveredScanned = deliveredScanned;
            this.deliveredDetected = deliveredDetected;
            this.errors = errors;
            this.timestamp = timestamp;
        }

        static RescanDetailsDTO of(RetroactiveRescanTask.Details details, String type) {
            return new RescanDetailsDTO(type, details.trigger(), details.quarantineRescanned(), details.nowClean(), details.released(),
                details.nowInfected(), details.deliveredScanned(), details.deliveredDetected(), details.errors(), details.timestamp());
        }

        RetroactiveRescanTask.Details details() {
            return new RetroactiveRescanTask.Details(trigger, quarantineRescanned, nowClean, released, nowInfected, deliveredScanned,
                deliveredDetected, errors, timestamp);
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
