package dev.bulwark.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What the benchmark ran on, and the CPU counters it reads around each measured window (Linux /proc). */
public final class Machine {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every mainstream Linux build

    private Machine() {
    }

    public record Description(int cpus, String cpuModel, String memory, String os, String jdk) {
    }

    public static Description describe() {
        List<String> cpuinfo = lines("/proc/cpuinfo");
        String model = cpuinfo.stream().filter(l -> l.startsWith("model name")).findFirst()
            .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        String mhz = cpuinfo.stream().filter(l -> l.startsWith("cpu MHz")).findFirst()
            .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(null);
        if (mhz != null) {
            model = model + String.format(Locale.ROOT, " @ %.0f MHz", Double.parseDouble(mhz));
        }
        String memory = lines("/proc/meminfo").stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
            .map(l -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
            .orElse("unknown");
        String os = lines("/etc/os-release").stream().filter(l -> l.startsWith("PRETTY_NAME=")).findFirst()
            .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "")).orElse(System.getProperty("os.name"))
            + ", kernel " + System.getProperty("os.version");
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + " (" + System.getProperty("java.vm.vendor") + ")";
        return new Description(Runtime.getRuntime().availableProcessors(), model, memory, os, jdk);
    }

    /** CPU time of this JVM, all threads (bench threads, GC, JIT). */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** utime + stime of a process in nanoseconds, if readable. */
    static Optional<Long> cpuNanosOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            return Optional.of(ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Machine-wide jiffies from /proc/stat: {busy, total}. */
    /** /proc/loadavg's 1, 5 and 15 minute averages, e.g. "2.31 1.87 1.20"; "unknown" when unreadable. */
    public static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    public static long[] machineJiffies() {
        List<String> stat = lines("/proc/stat");
        if (stat.isEmpty() || !stat.get(0).startsWith("cpu ")) {
            return new long[] {0, 0};
        }
        String[] fields = stat.get(0).trim().split("\\s+");
        long total = 0;
        long idle = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
            long value = Long.parseLong(fields[i]);
            total += value;
            if (i == 4 || i == 5) {
                idle += value;
            }
        }
        return new long[] {total - idle, total};
    }

    /**
     * The local clamd's PID when it can be told: {@code BULWARK_BENCH_CLAMD_PID}, else the only process
     * named clamd on this machine. Empty when there are several or none (CPU per scan is then not reported).
     */
    static Optional<Long> findLocalClamd() {
        String fromEnv = System.getenv("BULWARK_BENCH_CLAMD_PID");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(Long.parseLong(fromEnv.trim()));
        }
        try (var entries = Files.list(Path.of("/proc"))) {
            List<Long> clamds = entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                .filter(p -> {
                    try {
                        return Files.readString(p.resolve("comm")).trim().equals("clamd");
                    } catch (IOException e) {
                        return false;
                    }
                })
                .map(p -> Long.parseLong(p.getFileName().toString()))
                .toList();
            return clamds.size() == 1 ? Optional.of(clamds.get(0)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            return List.of();
        }
    }
}
