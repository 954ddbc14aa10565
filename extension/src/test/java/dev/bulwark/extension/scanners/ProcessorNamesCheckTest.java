package dev.bulwark.extension.scanners;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.commons.configuration2.PropertiesConfiguration;
import org.junit.jupiter.api.Test;

import dev.bulwark.extension.config.BulwarkConfiguration;

class ProcessorNamesCheckTest {
    private static final List<String> PROCESSORS = List.of("root", "transport", "quarantine", "error");

    private static BulwarkConfiguration configuration(String... keyValues) {
        PropertiesConfiguration file = new PropertiesConfiguration();
        file.addProperty("clamd.endpoints", "127.0.0.1:3310");
        file.addProperty("spamd.endpoints", "127.0.0.1:783");
        for (int i = 0; i < keyValues.length; i += 2) {
            file.addProperty(keyValues[i], keyValues[i + 1]);
        }
        return BulwarkConfiguration.from(file, Map.of());
    }

    @Test
    void processorsOfTheContainerPass() {
        assertThat(ProcessorNamesCheck.problems(configuration("mailbox.noticeProcessor", "quarantine", "rescan.processor", "root",
            "quarantine.releaseProcessor", "transport"), PROCESSORS)).isEmpty();
    }

    @Test
    void noneSendsNoNoticesAndNeedsNoProcessor() {
        assertThat(ProcessorNamesCheck.problems(configuration("mailbox.noticeProcessor", "none"), PROCESSORS)).isEmpty();
    }

    @Test
    void aTypoIsNamedWithTheKeyAndTheProcessorsThereAre() {
        assertThat(ProcessorNamesCheck.problems(configuration("mailbox.noticeProcessor", "Quarantine"), PROCESSORS)).containsExactly(
            "bulwark.properties: mailbox.noticeProcessor is 'Quarantine', which is no processor of mailetcontainer.xml;"
                + " expected one of [error, quarantine, root, transport], or none for no notices");
    }

    @Test
    void theReleaseAndRescanProcessorsAreCheckedToo() {
        assertThat(ProcessorNamesCheck.problems(configuration("rescan.processor", "rot", "quarantine.releaseProcessor", "roo"), PROCESSORS))
            .containsExactly(
                "bulwark.properties: quarantine.releaseProcessor is 'roo', which is no processor of mailetcontainer.xml;"
                    + " expected one of [error, quarantine, root, transport]",
                "bulwark.properties: rescan.processor is 'rot', which is no processor of mailetcontainer.xml;"
                    + " expected one of [error, quarantine, root, transport]");
    }
}
