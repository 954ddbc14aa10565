package dev.bulwark.extension.scanners;

import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

import dev.bulwark.extension.config.BulwarkConfiguration;

/**
 * Whether {@code mailbox.noticeProcessor} names a processor of the mailet container: a typo would otherwise be
 * found only when a message is taken out of a mailbox, as notices that fail with a warning.
 */
final class NoticeProcessorCheck {
    private NoticeProcessorCheck() {
    }

    /** What is wrong with the setting given the container's processors; empty: nothing ({@code none}: no notices to send). */
    static Optional<String> problem(BulwarkConfiguration.Mailbox settings, Collection<String> processors) {
        if (!settings.notices() || processors.contains(settings.noticeProcessor())) {
            return Optional.empty();
        }
        return Optional.of(BulwarkConfiguration.FILE + ": " + BulwarkConfiguration.MAILBOX_NOTICE_PROCESSOR + " is '" + settings.noticeProcessor()
            + "', which is no processor of mailetcontainer.xml; expected one of " + new TreeSet<>(processors) + ", or "
            + BulwarkConfiguration.Mailbox.NONE + " for no notices");
    }
}
