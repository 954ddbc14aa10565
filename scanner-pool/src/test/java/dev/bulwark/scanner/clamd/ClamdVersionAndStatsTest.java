package dev.bulwark.scanner.clamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.wire.ScannerTimeouts;

@ExtendWith(ScannerDaemonsExtension.class)
class ClamdVersionAndStatsTest {
    @Test
    void officialDatabaseVersionAndDateAreParsed() throws IOException {
        ClamdVersion version = ClamdVersion.parse("ClamAV 1.4.6/27450/Mon Nov  2 09:30:00 2026");
        assertThat(version.engine()).isEqualTo("ClamAV 1.4.6");
        assertThat(version.databaseVersion()).contains(27450L);
        assertThat(version.databaseDate()).contains(Instant.parse("2026-11-02T09:30:00Z"));
        assertThat(version).hasToString("ClamAV 1.4.6/27450");
    }

    @Test
    void customDatabaseOnlyHasTheEngine() throws IOException {
        ClamdVersion version = ClamdVersion.parse("ClamAV 1.4.6");
        assertThat(version.databaseVersion()).isEmpty();
        assertThat(version.databaseDate()).isEmpty();
    }

    @Test
    void malformedVersionsAreRefused() {
        assertThatThrownBy(() -> ClamdVersion.parse("PONG")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ClamdVersion.parse("ClamAV 1.4.6/abc")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ClamdVersion.parse("ClamAV 1.4.6/1/yesterday")).isInstanceOf(IOException.class);
    }

    @Test
    void realClamdAnswersVersionAndStats(ScannerDaemons daemons) throws IOException {
        ClamdClient clamd = new ClamdClient(new Endpoint(daemons.clamdHost(), daemons.clamdPort()),
            new ScannerTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        assertThat(clamd.version().engine()).matches("ClamAV \\d+\\.\\d+\\.\\d+");
        ClamdStats stats = clamd.stats();
        assertThat(stats.threadsMax()).isEqualTo(8); // scripts/scanners.sh: MaxThreads 8
        // Tests in this module run one after another: nothing waits in an idle clamd's queue, and the thread
        // answering STATS is live.
        assertThat(stats.queueItems()).isZero();
        assertThat(stats.raw()).contains("QUEUE: 0 items");
        assertThat(stats.threadsLive()).isBetween(1, stats.threadsMax());
        assertThat(stats.threadsIdle()).isBetween(0, stats.threadsLive() - 1);
    }

    /** A busy clamd's STATS: its queue lists the commands waiting for a thread. */
    @Test
    void aBusyClamdsQueueIsCounted() throws IOException {
        ClamdStats stats = ClamdStats.parse("POOLS: 1\n\nSTATE: VALID PRIMARY\nTHREADS: live 8  idle 0 max 8 idle-timeout 30\n"
            + "QUEUE: 3 items\n\tINSTREAM 0.004117 \n\tINSTREAM 0.002301 \n\tSTATS 0.000035 \n\n"
            + "MEMSTATS: heap N/A mmap N/A used N/A free N/A releasable N/A pools 1 pools_used 1306.463M pools_total 1306.518M\nEND");
        assertThat(stats.queueItems()).isEqualTo(3);
        assertThat(stats.threadsLive()).isEqualTo(8);
        assertThat(stats.threadsIdle()).isZero();
        assertThatThrownBy(() -> ClamdStats.parse("THREADS: live 1  idle 0 max 8\nEND")).isInstanceOf(IOException.class);
    }
}
