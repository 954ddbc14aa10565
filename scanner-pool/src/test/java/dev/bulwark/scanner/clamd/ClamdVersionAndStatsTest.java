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
        assertThat(stats.threadsMax()).isEqualTo(8);
        assertThat(stats.queueItems()).isGreaterThanOrEqualTo(0);
    }
}
