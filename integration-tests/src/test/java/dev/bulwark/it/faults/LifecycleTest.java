package dev.bulwark.it.faults;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/** Stopping James closes Bulwark's pools: their prober threads and connections do not outlive it. */
@ExtendWith(JamesStarterExtension.class)
class LifecycleTest {
    private static long proberThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().startsWith("bulwark-") && thread.getName().endsWith("-prober"))
            .count();
    }

    @Test
    void stoppingJamesStopsThePools(JamesStarter jameses) throws Exception {
        long before = proberThreads();
        BulwarkJames james = jameses.start(conf -> { });
        try {
            assertThat(proberThreads()).isEqualTo(before + 2);
        } finally {
            james.close();
        }
        AWAIT.until(() -> proberThreads() == before);
    }
}
