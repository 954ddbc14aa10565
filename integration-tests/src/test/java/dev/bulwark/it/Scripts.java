package dev.bulwark.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the project's shell scripts and curl as an operator would, and returns what they printed. */
final class Scripts {
    private Scripts() {
    }

    record Result(int exitCode, String out) {
        String line() {
            return out.strip();
        }
    }

    /** {@code bash scripts/<name> args...} with extra environment variables; stderr is part of {@code out}. */
    static Result script(Map<String, String> environment, String name, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", ProjectPaths.script(name).toString()));
        command.addAll(List.of(args));
        return run(environment, command, false);
    }

    /** A command as typed; only its stdout is returned (whatever its exit code). */
    static Result command(String... command) {
        return run(Map.of(), List.of(command), true);
    }

    /** An HTTP answer as curl printed it. */
    record HttpAnswer(int status, String body) {
    }

    /** {@code curl -s <arguments>}, as an operator types it: curl's own defaults (a form body for -d) apply. */
    static HttpAnswer curl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-S", "-w", "\n%{http_code}"));
        command.addAll(List.of(arguments));
        Result result = run(Map.of(), command, true);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(command + " failed with exit code " + result.exitCode());
        }
        int end = result.out().lastIndexOf('\n');
        return new HttpAnswer(Integer.parseInt(result.out().substring(end + 1).strip()), result.out().substring(0, end));
    }

    private static Result run(Map<String, String> environment, List<String> command, boolean stdoutOnly) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            if (stdoutOnly) {
                builder.redirectError(ProcessBuilder.Redirect.DISCARD);
            } else {
                builder.redirectErrorStream(true);
            }
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within 60 s");
            }
            return new Result(process.exitValue(), out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
