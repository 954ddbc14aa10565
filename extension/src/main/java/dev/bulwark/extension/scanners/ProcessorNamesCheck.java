package dev.bulwark.extension.scanners;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

import dev.bulwark.extension.config.BulwarkConfiguration;

/**
 * Whether every setting of bulwark.properties that names a processor ({@code quarantine.releaseProcessor},
 * {@code rescan.processor}, {@code mailbox.noticeProcessor}) names one of the mailet container: a typo would
 * otherwise be found only when mail is released, rescanned or taken out of a mailbox, as mail sent to a processor
 * James does not have.
 */
final class ProcessorNamesCheck {
    private ProcessorNamesCheck() {
    }

    /** What is wrong with the settings given the container's processors, one line per setting; empty: nothing. */
    static List<String> problems(BulwarkConfiguration configuration, Collection<String> processors) {
        List<String> problems = new ArrayList<>();
        check(problems, processors, BulwarkConfiguration.QUARANTINE_RELEASE_PROCESSOR, configuration.quarantine().releaseProcessor(), "");
        check(problems, processors, BulwarkConfiguration.RESCAN_PROCESSOR, configuration.rescan().processor(), "");
        if (configuration.mailbox().notices()) {
            check(problems, processors, BulwarkConfiguration.MAILBOX_NOTICE_PROCESSOR, configuration.mailbox().noticeProcessor(),
                ", or " + BulwarkConfiguration.Mailbox.NONE + " for no notices");
        }
        return problems;
    }

    private static void check(List<String> problems, Collection<String> processors, String key, String processor, String alternative) {
        if (!processors.contains(processor)) {
            problems.add(BulwarkConfiguration.FILE + ": " + key + " is '" + processor + "', which is no processor of mailetcontainer.xml;"
                + " expected one of " + new TreeSet<>(processors) + alternative);
        }
    }
}
