package dev.bulwark.bench.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.bulwark.bench.Machine;

/** Runs one phase: warm-up, then the measured corpus with CPU, machine and heap counters read around it. */
final class PhaseRunner {
    private PhaseRunner() {
    }

    /**
     * Not measured: a James without scanning, fed {@code messages} messages and stopped, so that James's own
     * code (SMTP, spooler, mailbox, IMAP) is loaded and compiled by the JIT before any pipeline is measured,
     * whichever comes first. Without it the first pipeline pays for James's class loading and compilation
     * (in trial runs: 2-3× the JVM CPU per message of the same pipeline run later).
     */
    static void warmUpJames(PipelineBenchmark.Options options, Daemons daemons, List<CorpusMessage> messages) throws Exception {
        System.err.println("bench: JVM warm-up: James without scanning, " + messages.size() + " messages (not measured)");
        try (JamesInstance james = JamesInstance.start(Pipeline.NO_SCAN, options.repo(), daemons);
             OutcomeTracker tracker = new OutcomeTracker(ImapInbox.open(james.imapPort(), JamesInstance.RECIPIENT, JamesInstance.PASSWORD),
                 null, options.pollMillis())) {
            LoadGenerator.run("jvm-w", messages, options.clients(), options.maxSeconds() * 1000,
                () -> new SmtpPipelineClient(james.smtpPort(), tracker));
        }
    }

    static final String RAW = "raw daemons (spamd)";
    static final String RAW_RSPAMD = "raw daemons (rspamd)";

    /** The raw daemons, no James: the ceiling for the scanning work the pipelines ask for, with spamd or rspamd. */
    static Measurement raw(PipelineBenchmark.Options options, Daemons daemons, boolean rspamd, List<CorpusMessage> warmup,
                           List<CorpusMessage> measured) throws InterruptedException {
        LoadGenerator.ClientFactory clients = () -> new RawDaemonsClient(daemons, rspamd);
        String label = rspamd ? RAW_RSPAMD : RAW;
        String code = rspamd ? "raw-rspamd" : "raw";
        System.err.println("bench: " + label + ": warm-up");
        LoadGenerator.run(code + "-w", warmup, options.clients(), options.maxSeconds() * 1000, clients);
        return measure(label, true, code + "-m", options, daemons, Optional.empty(), measured, clients, "");
    }

    static final java.util.Set<Pipeline> MEMORY_CHECKED = java.util.EnumSet.of(Pipeline.BULWARK, Pipeline.STOCK, Pipeline.NO_SCAN);
    /**
     * amavisd's {@code $sa_mail_body_size_limit}, Debian's default (200 KB). amavisd-new 2.13 has no size above
     * which it skips SpamAssassin, as Bulwark's spamd.maxMessageSize and the stock SizeGreaterThan do: it
     * truncates larger mail to this before SpamAssassin sees it.
     */
    static final int AMAVISD_SPAM_SIZE_LIMIT = 200 * 1024;

    /** The suffix of the memory check's measurements. */
    static final String FIVE_MB = " (5 MB)";

    /**
     * A pipeline: its measured corpus, then (same James) the memory check, {@code fiveMegabyte} messages of
     * 5 MB each from the same clients.
     */
    static List<Measurement> pipeline(Pipeline pipeline, PipelineBenchmark.Options options, Daemons daemons, List<CorpusMessage> warmup,
                                      List<CorpusMessage> measured, List<CorpusMessage> fiveMegabyte) throws Exception {
        long startedAt = System.nanoTime();
        System.err.println("bench: " + pipeline.label + ": starting James");
        try (JamesInstance james = JamesInstance.start(pipeline, options.repo(), daemons);
             AmavisdInstance amavisd = pipeline == Pipeline.AMAVISD
                 ? AmavisdInstance.start(james.smtpPort(), daemons, options.amavisdChildren(), AMAVISD_SPAM_SIZE_LIMIT) : null;
             OutcomeTracker tracker = new OutcomeTracker(ImapInbox.open(james.imapPort(), JamesInstance.RECIPIENT, JamesInstance.PASSWORD),
                 !pipeline.scanning ? null : amavisd != null ? amavisd.quarantine() : james.quarantine(), options.pollMillis())) {
            long startMillis = (System.nanoTime() - startedAt) / 1_000_000;
            // The load generator sends to the content filter when there is one, else to James.
            int smtpPort = amavisd != null ? amavisd.port() : james.smtpPort();
            Optional<Long> amavisdPid = amavisd != null ? Optional.of(amavisd.pid()) : Optional.empty();
            LoadGenerator.ClientFactory clients = () -> new SmtpPipelineClient(smtpPort, tracker);
            System.err.println("bench: " + pipeline.label + ": " + (amavisd != null ? "James and amavisd" : "James") + " up in "
                + startMillis + " ms; warm-up");
            LoadGenerator.run(pipeline.code() + "-w", warmup, options.clients(), options.maxSeconds() * 1000, clients);
            Measurement m = measure(pipeline.label, pipeline.scanning, pipeline.code() + "-m", options, daemons, amavisdPid, measured, clients,
                (amavisd != null ? "James and amavisd start " : "James start ") + startMillis + " ms");
            long unknown = tracker.unknownSeen();
            long pollFailures = tracker.pollFailures();
            String notes = m.notes() + (unknown > 0 ? "; " + unknown + " other message(s) delivered (e.g. notices)" : "")
                + (pollFailures > 0 ? "; " + pollFailures + " failed polls" : "");
            Measurement main = new Measurement(m.label(), m.scanning(), m.result(), m.jvmCpuNanos(), m.clamdCpuNanos(), m.spamdCpuNanos(),
                m.rspamdCpuNanos(), m.amavisdCpuNanos(), m.busyJiffies(), m.totalJiffies(), m.baselineHeap(), m.peakHeapUsed(), m.peakHeapAfterGc(), startMillis, m.jvmCpuByThread(), notes);
            // The memory check is about James's heap: the phases whose Java side differs (Bulwark+spamd, stock, no scanning).
            if (fiveMegabyte.isEmpty() || !MEMORY_CHECKED.contains(pipeline)) {
                return List.of(main);
            }
            Measurement memory = measure(pipeline.label + FIVE_MB, pipeline.scanning, pipeline.code() + "-5mb", options, daemons, amavisdPid,
                fiveMegabyte, clients, "");
            return List.of(main, memory);
        }
    }

    private static Measurement measure(String label, boolean scanning, String phase, PipelineBenchmark.Options options, Daemons daemons,
                                       Optional<Long> amavisdPid, List<CorpusMessage> measured, LoadGenerator.ClientFactory clients, String notes)
            throws InterruptedException {
        long baselineHeap = HeapWatch.liveHeapNow(); // the warm-up's garbage is not this phase's peak
        System.err.println("bench: " + label + ": measuring " + measured.size() + " messages");
        ThreadCpu.Snapshot threads0 = ThreadCpu.snapshot();
        long jvm0 = ProcessCpu.thisJvm();
        long clamd0 = daemons.clamdPid().flatMap(ProcessCpu::withChildren).orElse(Measurement.UNKNOWN);
        long spamd0 = daemons.spamdPid().flatMap(ProcessCpu::withChildren).orElse(Measurement.UNKNOWN);
        long rspamd0 = daemons.rspamdPid().flatMap(ProcessCpu::withChildren).orElse(Measurement.UNKNOWN);
        long amavisd0 = amavisdPid.flatMap(ProcessCpu::withChildren).orElse(Measurement.UNKNOWN);
        long[] jiffies0 = Machine.machineJiffies();
        LoadGenerator.Result result;
        long peakUsed;
        long peakAfterGc;
        try (HeapWatch heap = new HeapWatch()) {
            result = LoadGenerator.run(phase, measured, options.clients(), options.maxSeconds() * 1000, clients);
            peakUsed = heap.peakUsed();
            peakAfterGc = heap.peakAfterGc();
        }
        long jvm1 = ProcessCpu.thisJvm();
        ThreadCpu.Snapshot threads1 = ThreadCpu.snapshot();
        long clamd1 = daemons.clamdPid().flatMap(ProcessCpu::withChildren).orElse(Measurement.UNKNOWN);
        long spamd1 = daemons.spamdPid().flatMap(ProcessCpu::withChildren).orElse(Measurement.UNKNOWN);
        long rspamd1 = daemons.rspamdPid().flatMap(ProcessCpu::withChildren).orElse(Measurement.UNKNOWN);
        long amavisd1 = amavisdPid.flatMap(ProcessCpu::withChildren).orElse(Measurement.UNKNOWN);
        long[] jiffies1 = Machine.machineJiffies();
        if (result.failures() > 0) {
            System.err.println("bench: " + label + ": " + result.failures() + " failure(s), e.g. " + String.join(" | ", result.failureExamples()));
        }
        return new Measurement(label, scanning, result, jvm1 - jvm0, delta(clamd0, clamd1), delta(spamd0, spamd1),
            delta(rspamd0, rspamd1), delta(amavisd0, amavisd1),
            jiffies1[0] - jiffies0[0], jiffies1[1] - jiffies0[1], baselineHeap, peakUsed, peakAfterGc, 0,
            ThreadCpu.between(threads0, threads1),
            notes + (result.failures() > 0 ? String.format(Locale.ROOT, "; %d failure(s): %s", result.failures(),
                String.join(" | ", result.failureExamples())) : ""));
    }

    private static long delta(long before, long after) {
        return before < 0 || after < 0 ? Measurement.UNKNOWN : after - before;
    }
}
