package dev.bulwark.extension.learning;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import javax.inject.Inject;

import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.scanner.verdict.SpamLearner.LearnAs;

/**
 * Ham lessons from the quarantine: mail quarantined as spam that an admin releases as a false positive
 * ({@code "learnAsHam": true}) is learned as ham for each recipient it was released to. The message is read
 * from the quarantine entry when the lesson's turn comes. Each is charged to its recipient, as if they had said it:
 * the admin's release spends no budget of the admin's own.
 */
public class QuarantineLessons {
    private final QuarantineStore store;

    @Inject
    public QuarantineLessons(QuarantineStore store) {
        this.store = store;
    }

    public List<Lesson> ham(QuarantineEntry entry, List<String> releasedTo) {
        return releasedTo.stream().map(recipient -> new Lesson(recipient, recipient, LearnAs.HAM, "release", OptionalLong.empty(), entry.messageId(),
            Map.of("quarantineId", entry.id().asString()), maxSize -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                if (!store.writeMessage(entry.id(), out)) {
                    throw new Lesson.Refused("the quarantine entry was deleted before it was learned");
                }
                if (out.size() > maxSize) {
                    throw Lesson.tooLarge(maxSize);
                }
                return new Lesson.Message(out.toByteArray(), entry.messageId());
            })).toList();
    }
}
