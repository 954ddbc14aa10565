package dev.bulwark.it.faults;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.it.fixtures.JamesStarter;
import dev.bulwark.it.fixtures.JamesStarterExtension;
import dev.bulwark.it.fixtures.MailClients;

/** Stopping James closes Bulwark's pools: their prober threads and connections do not outlive it. */
@ExtendWith(JamesStarterExtension.class)
class LifecycleTest {
    private static Set<Thread> proberThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().startsWith("bulwark-") && thread.getName().endsWith("-prober"))
            .collect(Collectors.toSet());
    }

    @Test
    void stoppingJamesStopsThePools(JamesStarter jameses) throws Exception {
        // This James's probers, told apart from any of an earlier class's James in this JVM that are still ending (one
        // in the middle of a PING ends when its read does): counting them all made both the count and the wait racy.
        Set<Thread> before = proberThreads();
        BulwarkJames james = jameses.start(conf -> { });
        Set<Thread> started = new HashSet<>();
        try {
            started.addAll(proberThreads());
            started.removeAll(before);
            assertThat(started).as("clamd's and spamd's probers").hasSize(2);
        } finally {
            james.close();
        }
        AWAIT.until(() -> started.stream().noneMatch(Thread::isAlive));
    }
}
