package dev.bulwark.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.scanner.clamd.ClamdClient;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.spamd.SpamdClient;
import dev.bulwark.scanner.spamd.SpamdClientConfig;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/** scripts/scanners.sh: idempotent start, honest status, and a stop that touches only its own daemons. */
@ExtendWith(ScannerDaemonsExtension.class)
class ScannersScriptTest {
    @TempDir
    Path runDir;

    private record Result(int exitCode, String output) {
    }

    @Test
    void startIsIdempotentAndStopStopsOnlyItsOwnDaemons(ScannerDaemons runDaemons) throws Exception {
        int clamdPort = Ports.unused();
        int spamdPort = Ports.unused();
        try {
            assertThat(script("start", clamdPort, spamdPort).exitCode()).isZero();
            Result again = script("start", clamdPort, spamdPort);
            assertThat(again.exitCode()).isZero();
            assertThat(again.output()).contains("already running");

            Result status = script("status", clamdPort, spamdPort);
            assertThat(status.exitCode()).isZero();
            assertThat(status.output()).contains("clamd: running on 127.0.0.1:" + clamdPort).contains("ClamAV");
            new ClamdClient(new Endpoint("127.0.0.1", clamdPort), ScannerTimeouts.DEFAULT).ping();
            new SpamdClient(new Endpoint("127.0.0.1", spamdPort), SpamdClientConfig.DEFAULT).ping();
            assertThat(script("env", clamdPort, spamdPort).output())
                .contains("BULWARK_TEST_CLAMD=127.0.0.1:" + clamdPort)
                .contains("BULWARK_TEST_SPAMD=127.0.0.1:" + spamdPort)
                .as("rspamd only when asked").doesNotContain("RSPAMD");
        } finally {
            assertThat(script("stop", clamdPort, spamdPort).exitCode()).isZero();
        }

        assertThat(script("status", clamdPort, spamdPort).exitCode()).isEqualTo(3);
        assertThat(script("stop", clamdPort, spamdPort).exitCode()).as("stopping twice is a no-op").isZero();
        // The run's own daemons, started from another run directory, are untouched.
        new ClamdClient(new Endpoint(runDaemons.clamdHost(), runDaemons.clamdPort()), ScannerTimeouts.DEFAULT).ping();
        new SpamdClient(new Endpoint(runDaemons.spamdHost(), runDaemons.spamdPort()), SpamdClientConfig.DEFAULT).ping();
    }

    @Test
    void unknownCommandIsAUsageError() throws Exception {
        Result result = script("restart-everything", 1, 1);
        assertThat(result.exitCode()).isEqualTo(64);
        assertThat(result.output()).contains("usage:");
    }

    private Result script(String command, int clamdPort, int spamdPort) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", ScannerDaemonsExtension.scannersScript().toString(), command)).redirectErrorStream(true);
        builder.environment().put("BULWARK_RUN_DIR", runDir.toString());
        builder.environment().put("BULWARK_CLAMD_PORT", Integer.toString(clamdPort));
        builder.environment().put("BULWARK_SPAMD_PORT", Integer.toString(spamdPort));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), output);
    }

}
