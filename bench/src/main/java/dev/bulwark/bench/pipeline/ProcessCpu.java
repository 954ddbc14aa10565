package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time from Linux's /proc, in nanoseconds. A daemon's figure includes its children: spamd forks a child
 * per concurrent check and replaces children over time, so it is the parent's own time, the time of the
 * children it has reaped (cutime, cstime), and the time of its live children, with what those reaped in
 * turn (amavisd's children run file(1) and decoders as their own children).
 */
final class ProcessCpu {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on every mainstream Linux build

    private ProcessCpu() {
    }

    /** This JVM, all threads: James, the load generator, the outcome tracker, GC and JIT. */
    static long thisJvm() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** The process and its children (reaped and live), or empty when it cannot be read. */
    static Optional<Long> withChildren(long pid) {
        Optional<long[]> own = stat(pid);
        if (own.isEmpty()) {
            return Optional.empty();
        }
        long ticks = own.get()[1] + own.get()[2] + own.get()[3] + own.get()[4];
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            List<Long> pids = entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                .map(Long::parseLong).toList();
            for (long child : pids) {
                Optional<long[]> stat = stat(child);
                if (stat.isPresent() && stat.get()[0] == pid) {
                    ticks += stat.get()[1] + stat.get()[2] + stat.get()[3] + stat.get()[4];
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /** {ppid, utime, stime, cutime, cstime} in ticks. */
    private static Optional<long[]> stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                Long.parseLong(f[13]), Long.parseLong(f[14])});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The PID of the only process with this command name whose parent is not one too (spamd's children keep
     * their parent's name or rename themselves "spamd child"), or empty when there is none or several.
     */
    static Optional<Long> findDaemon(String command) {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            List<Long> found = entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                .map(Long::parseLong)
                .filter(pid -> comm(pid).equals(command))
                .filter(pid -> stat(pid).map(s -> !comm(s[0]).startsWith(command)).orElse(false))
                .toList();
            return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
