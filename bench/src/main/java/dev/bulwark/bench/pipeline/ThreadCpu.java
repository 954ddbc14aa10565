package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * This JVM's CPU time per thread group, from /proc/self/task: where the JVM's share of a phase went (James's
 * SMTP, spooler and IMAP threads, the JIT compilers, the garbage collector, the load generator...). Thread
 * names are grouped without their numbers ("spooler-12" and "spooler-3" are "spooler-N"). Threads that end
 * during the phase are missing from the difference; the report shows the rest as "exited threads and other".
 */
final class ThreadCpu {
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private ThreadCpu() {
    }

    /** CPU nanoseconds per live thread id, with its group. */
    record Snapshot(Map<Long, String> groups, Map<Long, Long> nanos) {
    }

    static Snapshot snapshot() {
        Map<Long, String> groups = new HashMap<>();
        Map<Long, Long> nanos = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    long tid = Long.parseLong(task.getFileName().toString());
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    groups.put(tid, group(name));
                    nanos.put(tid, ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND);
                } catch (IOException | RuntimeException threadEnded) {
                    // Gone between the listing and the read.
                }
            }
        } catch (IOException e) {
            return new Snapshot(Map.of(), Map.of());
        }
        return new Snapshot(groups, nanos);
    }

    static String group(String threadName) {
        return threadName.replaceAll("\\d+", "N").trim();
    }

    /** CPU nanoseconds per group between two snapshots, largest first. */
    static Map<String, Long> between(Snapshot before, Snapshot after) {
        Map<String, Long> byGroup = new HashMap<>();
        after.nanos().forEach((tid, nanos) -> byGroup.merge(after.groups().get(tid), nanos - before.nanos().getOrDefault(tid, 0L), Long::sum));
        Map<String, Long> sorted = new LinkedHashMap<>();
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** The groups to show: the largest ones, the rest summed. */
    static List<Map.Entry<String, Long>> top(Map<String, Long> byGroup, int n) {
        List<Map.Entry<String, Long>> all = List.copyOf(byGroup.entrySet());
        if (all.size() <= n) {
            return all;
        }
        long rest = all.subList(n, all.size()).stream().mapToLong(Map.Entry::getValue).sum();
        java.util.ArrayList<Map.Entry<String, Long>> shown = new java.util.ArrayList<>(all.subList(0, n));
        shown.add(Map.entry("other threads", rest));
        return shown;
    }
}
