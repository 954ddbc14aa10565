package dev.bulwark.extension.scanners;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.bulwark.extension.config.BulwarkConfiguration;

class NoticeProcessorCheckTest {
    private static final List<String> PROCESSORS = List.of("root", "transport", "quarantine", "error");

    private static BulwarkConfiguration.Mailbox noticesThrough(String processor) {
        return new BulwarkConfiguration.Mailbox(Optional.empty(), processor, Optional.empty(), 50);
    }

    @Test
    void aProcessorOfTheContainerPasses() {
        assertThat(NoticeProcessorCheck.problem(noticesThrough("quarantine"), PROCESSORS)).isEmpty();
    }

    @Test
    void noneSendsNoNoticesAndNeedsNoProcessor() {
        assertThat(NoticeProcessorCheck.problem(noticesThrough("none"), PROCESSORS)).isEmpty();
    }

    @Test
    void aTypoIsNamedWithTheKeyAndTheProcessorsThereAre() {
        assertThat(NoticeProcessorCheck.problem(noticesThrough("Quarantine"), PROCESSORS)).contains("bulwark.properties: mailbox.noticeProcessor"
            + " is 'Quarantine', which is no processor of mailetcontainer.xml; expected one of [error, quarantine, root, transport], or none for no notices");
    }
}
