package dev.bulwark.scanner.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.scanner.clamd.ClamdClient;
import dev.bulwark.scanner.clamd.ScriptableClamd;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.spamd.SpamdClient;
import dev.bulwark.scanner.spamd.SpamdClientConfig;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.wire.ScannerTimeouts;

@ExtendWith(ScannerDaemonsExtension.class)
class IntegrityProbeTest {
    private static final ScannerTimeouts TIMEOUTS = new ScannerTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10));
    private final IntegrityProbe probe = new IntegrityProbe(Duration.ofDays(2), Clock.systemUTC());

    @Test
    void realClamdAndSpamdPassTheirSelfTests(ScannerDaemons daemons) {
        ScannerState clamd = probe.check(new ClamdClient(Endpoint.parse(daemons.clamdAddress()), TIMEOUTS));
        ScannerState spamd = probe.check(new SpamdClient(Endpoint.parse(daemons.spamdAddress()), SpamdClientConfig.DEFAULT));

        assertThat(clamd.condition()).as(clamd.reason()).isEqualTo(ScannerState.Condition.HEALTHY);
        assertThat(clamd.engine()).get().asString().startsWith("ClamAV ");
        assertThat(spamd.condition()).as(spamd.reason()).isEqualTo(ScannerState.Condition.HEALTHY);
    }

    @Test
    void aClamdThatAnswersButDetectsNothingIsBroken(@TempDir Path tmp) throws Exception {
        Path runDir = tmp.resolve("run");
        Path signatures = ScannerDaemonsExtension.signaturesWithoutEicar(runDir.resolve("signatures"));
        assertThat(Files.list(signatures)).hasSize(1);
        int clamdPort = Ports.unused();
        try (AutoCloseable daemons = ScannerDaemonsExtension.startPrivateDaemons(runDir, clamdPort, Ports.unused(), Optional.of(signatures))) {
            ClamdClient clamd = new ClamdClient(new Endpoint("127.0.0.1", clamdPort), TIMEOUTS);
            clamd.ping();

            ScannerState state = probe.check(clamd);

            assertThat(state.condition()).isEqualTo(ScannerState.Condition.BROKEN);
            assertThat(state.reason()).contains("EICAR test file scanned CLEAN");
            assertThat(state.condition().usable()).isFalse();
        }
    }

    @Test
    void silentScannersAreDown() throws Exception {
        int nobody = Ports.unused();
        assertThat(probe.check(new ClamdClient(new Endpoint("127.0.0.1", nobody), TIMEOUTS)).condition()).isEqualTo(ScannerState.Condition.DOWN);
        assertThat(probe.check(new SpamdClient(new Endpoint("127.0.0.1", nobody), SpamdClientConfig.DEFAULT)).condition())
            .isEqualTo(ScannerState.Condition.DOWN);
    }

    /** A dated signature database needs the official databases; a fake clamd reports one from 2024. */
    @Test
    void staleSignaturesDegradeAClamdThatStillDetects() throws Exception {
        try (ScriptableClamd fake = ScriptableClamd.start()) {
            fake.always(ScriptableClamd.Command.INSTREAM, ScriptableClamd.answer("stream: Eicar-Signature FOUND"));
            Clock november2026 = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

            ScannerState state = new IntegrityProbe(Duration.ofDays(2), november2026).check(new ClamdClient(fake.endpoint(), TIMEOUTS));

            assertThat(state.condition()).isEqualTo(ScannerState.Condition.DEGRADED);
            assertThat(state.signatureDate()).contains(Instant.parse("2024-09-10T10:00:00Z"));
            assertThat(state.reason()).contains("older than 2 days");
            assertThat(state.condition().usable()).isTrue();
        }
    }
}
