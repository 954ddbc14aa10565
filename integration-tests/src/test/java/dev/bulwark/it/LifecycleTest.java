package dev.bulwark.it;

import static dev.bulwark.it.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;

/** Stopping James closes Bulwark's pools: their prober threads and connections do not outlive it. */
@ExtendWith(ScannerDaemonsExtension.class)
class LifecycleTest {
    private static long proberThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().startsWith("bulwark-") && thread.getName().endsWith("-prober"))
            .count();
    }

    @Test
    void stoppingJamesStopsThePools(ScannerDaemons daemons) throws Exception {
        long before = proberThreads();
        BulwarkJames james = BulwarkJames.start(WorkDirs.create(), daemons, BulwarkJames.Ports.ANY, conf -> { });
        try {
            assertThat(proberThreads()).isEqualTo(before + 2);
        } finally {
            james.close();
            WorkDirs.delete(james.workDir());
        }
        AWAIT.until(() -> proberThreads() == before);
    }
}
