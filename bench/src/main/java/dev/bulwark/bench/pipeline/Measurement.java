package dev.bulwark.bench.pipeline;

import java.util.List;

/**
 * What one measured phase (a pipeline, or the raw daemons) did, with the counters read around it. A daemon's
 * CPU is {@link #UNKNOWN} when its PID is not known; rspamd and amavisd count as 0 when they do not run.
 */
record Measurement(String label, boolean scanning, LoadGenerator.Result result, long jvmCpuNanos, long clamdCpuNanos,
                   long spamdCpuNanos, long rspamdCpuNanos, long amavisdCpuNanos, long busyJiffies, long totalJiffies, long baselineHeap, long peakHeapUsed,
                   long peakHeapAfterGc, long startMillis, java.util.Map<String, Long> jvmCpuByThread, String notes) {
    static final long UNKNOWN = -1;

    List<LoadGenerator.Sample> samples() {
        return result.samples();
    }

    long completed() {
        return samples().stream().filter(s -> s.outcome().state() != Outcome.State.LOST).count();
    }

    double messagesPerSecond() {
        return completed() / result.seconds();
    }

    double latencyMillis(double quantile) {
        return latencyMillis(samples(), quantile);
    }

    static double latencyMillis(List<LoadGenerator.Sample> samples, double quantile) {
        long[] all = samples.stream().filter(s -> s.outcome().state() != Outcome.State.LOST)
            .mapToLong(LoadGenerator.Sample::latencyNanos).sorted().toArray();
        if (all.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(all.length - 1, Math.max(0, Math.ceil(quantile * all.length) - 1));
        return all[index] / 1e6;
    }

    double cpuMillisPerMessage(long nanos) {
        return nanos < 0 || completed() == 0 ? Double.NaN : nanos / 1e6 / completed();
    }

    double totalCpuMillisPerMessage() {
        long daemons = daemonsCpuNanos();
        return daemons < 0 ? Double.NaN : cpuMillisPerMessage(jvmCpuNanos + daemons);
    }

    /** clamd, spamd, rspamd and amavisd together; UNKNOWN when clamd's or spamd's is not known. */
    long daemonsCpuNanos() {
        if (clamdCpuNanos < 0 || spamdCpuNanos < 0) {
            return UNKNOWN;
        }
        return clamdCpuNanos + spamdCpuNanos + Math.max(0, rspamdCpuNanos) + Math.max(0, amavisdCpuNanos);
    }

    /** Messages whose envelope had a recipient count in this bucket ({@link Corpus#bucket}). */
    List<LoadGenerator.Sample> samples(String bucket) {
        return samples().stream().filter(s -> s.message().bucket().equals(bucket)).toList();
    }

    /** Recipient deliveries per second: each delivered message counts once per envelope recipient. */
    double deliveriesPerSecond() {
        return samples().stream().filter(s -> s.outcome().state() == Outcome.State.DELIVERED)
            .mapToLong(s -> s.message().recipients().size()).sum() / result.seconds();
    }

    /**
     * Messages per second the phase's CPU cost allows on {@code cores} cores that do nothing else: the
     * throughput a CPU-bound pipeline would reach on this machine unshared. Unlike msgs/s, it does not depend
     * on what other users of the machine did during the phase.
     */
    double cpuBoundCapacity(int cores) {
        double perMessage = totalCpuMillisPerMessage();
        return Double.isNaN(perMessage) || perMessage <= 0 ? Double.NaN : cores * 1000.0 / perMessage;
    }

    double machineBusyPercent() {
        return totalJiffies == 0 ? Double.NaN : 100.0 * busyJiffies / totalJiffies;
    }

    /** Share of the machine used by processes other than this JVM and the daemons, when all are known. */
    double othersPercent() {
        if (totalJiffies == 0 || daemonsCpuNanos() < 0) {
            return Double.NaN;
        }
        double oursJiffies = (jvmCpuNanos + daemonsCpuNanos()) / 1e7; // 100 jiffies per second
        return Math.max(0, 100.0 * (busyJiffies - oursJiffies) / totalJiffies);
    }

    /**
     * How far the live heap rose above its level at the start of the measured phase (after a full GC): what
     * this phase added and retained at its worst (mail in flight, scanners' buffers, delivered mail in James's
     * memory mailbox), independent of what earlier phases left in the same JVM.
     */
    long heapGrowthAfterGc() {
        return peakHeapAfterGc == 0 ? UNKNOWN : Math.max(0, peakHeapAfterGc - baselineHeap);
    }

    long count(Outcome.State state) {
        return samples().stream().filter(s -> s.outcome().state() == state).count();
    }

    long flaggedSpam() {
        return samples().stream().filter(s -> s.outcome().state() == Outcome.State.DELIVERED && s.outcome().spamFlagged()).count();
    }

    /** Messages that reached a final state other than the one their kind calls for. */
    long wrong() {
        return samples().stream().filter(s -> s.outcome().state() != Outcome.State.LOST)
            .filter(s -> !s.message().kind().isExpected(s.outcome(), scanning)).count();
    }

    long expected(MessageKind kind) {
        return samples().stream().filter(s -> s.message().kind() == kind).count();
    }
}
