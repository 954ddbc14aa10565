package dev.bulwark.bench.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.bulwark.bench.Machine;

/**
 * The pipeline benchmark's tables (markdown on stdout) and its section of docs/PERFORMANCE.md: everything
 * between {@link #BEGIN} and {@link #END} is rewritten; the rest of the file (the scanner-pool benchmark's
 * part and hand-written analysis) is kept. Without the markers the section is appended.
 */
final class PipelineReport {
    static final String BEGIN = "<!-- pipeline-benchmark:begin (written by PipelineBenchmark --write-docs; replaced up to the end marker) -->";
    static final String END = "<!-- pipeline-benchmark:end -->";
    static final double STOCK_TARGET = 1.5;
    static final double RAW_TARGET = 0.8;
    private static final double MIB = 1024 * 1024;

    private final PipelineBenchmark.Options options;
    private final Daemons daemons;
    private final String clamdVersion;
    private final Machine.Description machine;
    private final List<CorpusMessage> corpus;
    private final List<Measurement> results;
    private final long elapsedSeconds;

    PipelineReport(PipelineBenchmark.Options options, Daemons daemons, String clamdVersion, Machine.Description machine,
                   List<CorpusMessage> corpus, List<Measurement> results, long elapsedSeconds) {
        this.options = options;
        this.daemons = daemons;
        this.clamdVersion = clamdVersion;
        this.machine = machine;
        this.corpus = corpus;
        this.results = results;
        this.elapsedSeconds = elapsedSeconds;
    }

    /** A run is valid when every measured message reached the final state its kind calls for. */
    boolean valid() {
        return results.stream().allMatch(m -> m.wrong() == 0 && m.count(Outcome.State.LOST) == 0);
    }

    String markdown() {
        return "### Results\n\n" + resultsTable() + "\n### Verdicts\n\n" + verdictsTable() + "\n### Targets\n\n" + targetsTable()
            + "\n### Where the JVM's CPU went\n\n" + threadsTable()
            + (valid() ? "" : "\n**!!! INVALID RUN: messages were lost or handled wrongly (see Verdicts). !!!**\n");
    }

    private Optional<Measurement> find(String label) {
        return results.stream().filter(m -> m.label().equals(label)).findFirst();
    }

    String resultsTable() {
        StringBuilder t = new StringBuilder();
        t.append("| phase | messages | msgs/s | p50 ms | p95 ms | p99 ms | JVM CPU ms/msg | clamd CPU ms/msg | spamd CPU ms/msg "
            + "| total CPU ms/msg | CPU-bound capacity msgs/s | machine busy | of which others | peak heap MiB | live heap growth MiB |\n");
        t.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Measurement m : results) {
            t.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                m.label(), m.completed(), number(m.messagesPerSecond(), 1),
                number(m.latencyMillis(0.5), 0), number(m.latencyMillis(0.95), 0), number(m.latencyMillis(0.99), 0),
                number(m.cpuMillisPerMessage(m.jvmCpuNanos()), 1), number(m.cpuMillisPerMessage(m.clamdCpuNanos()), 1),
                number(m.cpuMillisPerMessage(m.spamdCpuNanos()), 1), number(m.totalCpuMillisPerMessage(), 1),
                number(m.cpuBoundCapacity(machine.cpus()), 1),
                Double.isNaN(m.machineBusyPercent()) ? "n/a" : number(m.machineBusyPercent(), 0) + " %",
                Double.isNaN(m.othersPercent()) ? "n/a" : number(m.othersPercent(), 0) + " %",
                number(m.peakHeapUsed() / MIB, 0), m.heapGrowthAfterGc() < 0 ? "n/a" : number(m.heapGrowthAfterGc() / MIB, 0)));
        }
        return t.toString();
    }

    String verdictsTable() {
        StringBuilder t = new StringBuilder();
        long clean = corpus.stream().filter(c -> c.kind() == MessageKind.CLEAN || c.kind() == MessageKind.LARGE).count();
        long gtube = corpus.stream().filter(c -> c.kind() == MessageKind.GTUBE).count();
        long eicar = corpus.stream().filter(c -> c.kind() == MessageKind.EICAR).count();
        t.append(String.format(Locale.ROOT, "Corpus: %d messages (%d clean of 5-100 KB, %d of 1-5 MB, %d EICAR, %d GTUBE). "
                + "A scanning pipeline must deliver %d unflagged, deliver %d flagged as spam and quarantine %d; "
                + "without scanning all %d are delivered unflagged.%n%n",
            corpus.size(), count(MessageKind.CLEAN), count(MessageKind.LARGE), eicar, gtube, clean, gtube, eicar, corpus.size()));
        t.append("| phase | delivered | of which flagged spam | quarantined | wrong final state | lost (not seen in time) | notes |\n");
        t.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Measurement m : results) {
            t.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s |%n", m.label(), m.count(Outcome.State.DELIVERED),
                m.flaggedSpam(), m.count(Outcome.State.QUARANTINED), bold(m.wrong()), bold(m.count(Outcome.State.LOST)),
                m.notes().replace("|", "\\|")));
        }
        return t.toString();
    }

    private long count(MessageKind kind) {
        return corpus.stream().filter(c -> c.kind() == kind).count();
    }

    String targetsTable() {
        Optional<Measurement> bulwark = find(Pipeline.BULWARK.label);
        Optional<Measurement> stock = find(Pipeline.STOCK.label);
        Optional<Measurement> noScan = find(Pipeline.NO_SCAN.label);
        Optional<Measurement> raw = find("raw daemons");
        StringBuilder t = new StringBuilder();
        t.append("| comparison | Bulwark | other | ratio | target | verdict |\n| --- | ---: | ---: | ---: | --- | :---: |\n");
        if (bulwark.isEmpty()) {
            return t.append("| (Bulwark not measured) | | | | | |\n").toString();
        }
        Measurement b = bulwark.get();
        stock.ifPresent(s -> {
            double ratio = b.messagesPerSecond() / s.messagesPerSecond();
            t.append(row("throughput Bulwark / stock, " + options.clients() + " clients", b.messagesPerSecond(), s.messagesPerSecond(),
                ratio, "≥ " + STOCK_TARGET + "×", ratio >= STOCK_TARGET, "msgs/s"));
            double p99 = b.latencyMillis(0.99) / s.latencyMillis(0.99);
            t.append(row("p99 latency Bulwark / stock", b.latencyMillis(0.99), s.latencyMillis(0.99), p99, "< 1 (lower)", p99 < 1, "ms"));
        });
        raw.ifPresent(r -> {
            double ratio = b.messagesPerSecond() / r.messagesPerSecond();
            t.append(row("throughput Bulwark / raw daemons", b.messagesPerSecond(), r.messagesPerSecond(), ratio,
                "≥ " + RAW_TARGET + "×", ratio >= RAW_TARGET, "msgs/s"));
        });
        // The same comparisons by CPU cost, which other users of a shared machine do not move.
        int cores = machine.cpus();
        stock.ifPresent(s -> {
            double ratio = b.cpuBoundCapacity(cores) / s.cpuBoundCapacity(cores);
            t.append(row("CPU-bound capacity Bulwark / stock", b.cpuBoundCapacity(cores), s.cpuBoundCapacity(cores), ratio,
                "≥ " + STOCK_TARGET + "×", ratio >= STOCK_TARGET, "msgs/s"));
        });
        raw.ifPresent(r -> {
            double ratio = b.cpuBoundCapacity(cores) / r.cpuBoundCapacity(cores);
            t.append(row("CPU-bound capacity Bulwark / raw daemons", b.cpuBoundCapacity(cores), r.cpuBoundCapacity(cores), ratio,
                "≥ " + RAW_TARGET + "×", ratio >= RAW_TARGET, "msgs/s"));
        });
        noScan.ifPresent(n -> {
            double ratio = b.messagesPerSecond() / n.messagesPerSecond();
            t.append(String.format(Locale.ROOT, "| throughput Bulwark / no scanning | %s msgs/s | %s msgs/s | %s | (no target: the cost of scanning) | |%n",
                number(b.messagesPerSecond(), 1), number(n.messagesPerSecond(), 1), number(ratio, 2)));
        });
        memoryTarget(t);
        return t.toString();
    }

    /**
     * The memory target: with 5 MB messages from every client, the live heap Bulwark's James retains at its
     * worst, above what the same James retains without scanning (the same mail, the same mailbox), must stay
     * under one copy of the message per client: scanning must not hold whole-message copies.
     */
    private void memoryTarget(StringBuilder t) {
        Optional<Measurement> bulwark = find(Pipeline.BULWARK.label + PhaseRunner.FIVE_MB);
        Optional<Measurement> stock = find(Pipeline.STOCK.label + PhaseRunner.FIVE_MB);
        Optional<Measurement> noScan = find(Pipeline.NO_SCAN.label + PhaseRunner.FIVE_MB);
        if (bulwark.isEmpty() || noScan.isEmpty() || bulwark.get().heapGrowthAfterGc() < 0 || noScan.get().heapGrowthAfterGc() < 0) {
            t.append("| live heap with 5 MB messages (needs the Bulwark and no-scanning phases and --five-mb) | | | | | n/a |\n");
            return;
        }
        double bound = options.clients() * 5.0;
        double extra = (bulwark.get().heapGrowthAfterGc() - noScan.get().heapGrowthAfterGc()) / MIB;
        t.append(String.format(Locale.ROOT, "| live heap growth with 5 MB messages, %d clients: Bulwark above no scanning%s | %s MiB | %s MiB "
                + "| %s%s MiB | < %s MiB (one 5 MB copy per client) | %s |%n",
            options.clients(), stock.map(s -> " (stock: " + number(s.heapGrowthAfterGc() / MIB, 0) + " MiB)").orElse(""),
            number(bulwark.get().heapGrowthAfterGc() / MIB, 0), number(noScan.get().heapGrowthAfterGc() / MIB, 0),
            extra >= 0 ? "+" : "", number(extra, 0), number(bound, 0), extra < bound ? "PASS" : "**FAIL**"));
    }

    /**
     * Per phase, the JVM's CPU per message by thread group (the JVM column of Results, taken apart): the
     * profile that says which part of James, Bulwark or the JVM itself costs what.
     */
    String threadsTable() {
        StringBuilder t = new StringBuilder();
        t.append("JVM CPU per measured message, by thread group (from /proc/self/task; `N` stands for a number). ")
            .append("GC and JIT threads are the JVM's own; `spooler-N` runs the mailets; `smtpserver…`/`imapserver…` are James's ")
            .append("protocol threads; `bench-…` and `main` are the load generator and tracker; `CN CompilerThre` is the JIT ")
            .append("(Linux keeps 15 characters of a thread name), `GC Thread#N` and `GN Conc#N` are G1.\n\n");
        t.append("| phase | thread groups, CPU ms per message |\n| --- | --- |\n");
        for (Measurement m : results) {
            long done = Math.max(1, m.completed());
            StringBuilder groups = new StringBuilder();
            for (var entry : ThreadCpu.top(m.jvmCpuByThread(), 8)) {
                if (groups.length() > 0) {
                    groups.append(", ");
                }
                groups.append('`').append(entry.getKey().replace("|", "\\|")).append("` ").append(number(entry.getValue() / 1e6 / done, 1));
            }
            long threadSum = m.jvmCpuByThread().values().stream().mapToLong(Long::longValue).sum();
            groups.append(", exited threads and other ").append(number(Math.max(0, m.jvmCpuNanos() - threadSum) / 1e6 / done, 1));
            t.append("| ").append(m.label()).append(" | ").append(groups).append(" |\n");
        }
        return t.toString();
    }

    private static String row(String what, double bulwark, double other, double ratio, String target, boolean pass, String unit) {
        return String.format(Locale.ROOT, "| %s | %s %s | %s %s | %s | %s | %s |%n", what, number(bulwark, 1), unit, number(other, 1), unit,
            number(ratio, 2), target, pass ? "PASS" : "**FAIL**");
    }

    private static String bold(long value) {
        return value == 0 ? "0" : "**" + value + "**";
    }

    static String number(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    /** Replaces (or appends) the pipeline section of docs/PERFORMANCE.md. */
    void writeInto(Path docs) throws IOException {
        String existing = Files.exists(docs) ? Files.readString(docs) : "# Performance\n\n";
        String section = BEGIN + "\n" + section() + END + "\n";
        int begin = existing.indexOf(BEGIN);
        int end = existing.indexOf(END);
        String updated;
        if (begin >= 0 && end > begin) {
            updated = existing.substring(0, begin) + section + existing.substring(end + END.length()).replaceFirst("^\n", "");
        } else {
            updated = existing.stripTrailing() + "\n\n" + section;
        }
        Files.writeString(docs, updated);
    }

    private String section() {
        StringBuilder d = new StringBuilder();
        d.append("## Mail pipelines: Bulwark vs stock James mailets vs no scanning vs the raw daemons\n\n");
        d.append("Written by `dev.bulwark.bench.pipeline.PipelineBenchmark` (module `bench/`) on ")
            .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
            .append(gitDescription(options.repo())).append(". Issue #9.\n\n");
        d.append("### Reproduce\n\n```\n")
            .append(daemons.startedByHarness() ? "" : "BULWARK_TEST_CLAMD=" + daemons.clamdAddress() + " BULWARK_TEST_SPAMD=" + daemons.spamdAddress() + " ")
            .append("bash scripts/bench.sh --pipelines").append(options.args().isEmpty() ? "" : " " + String.join(" ", options.args()))
            .append("\n```\n\n");
        d.append("This run took ").append(Math.round(elapsedSeconds / 60.0 * 10) / 10.0).append(" minutes on the machine below, plus the build. `scripts/bench.sh --pipelines --help` ")
            .append("lists the options; `--phases bulwark --messages 40` is a quick smoke run. Never part of `mvn verify`.\n\n");
        d.append("### Machine\n\n| | |\n| --- | --- |\n");
        d.append("| CPUs (nproc) | ").append(machine.cpus()).append(" |\n");
        d.append("| CPU model | ").append(machine.cpuModel()).append(" |\n");
        d.append("| Memory | ").append(machine.memory()).append(" |\n");
        d.append("| OS | ").append(machine.os()).append(" |\n");
        d.append("| JDK | ").append(machine.jdk()).append(", heap ").append(Math.round(Runtime.getRuntime().maxMemory() / MIB)).append(" MiB max |\n");
        d.append("| James | 3.8.1 memory server, in the benchmark's JVM, a fresh working directory per pipeline |\n");
        d.append("| clamd | ").append(clamdVersion).append(" at ").append(daemons.clamdAddress())
            .append(daemons.startedByHarness() ? ", started by the harness (`scripts/scanners.sh`: MaxThreads 8, StreamMaxLength 25M, only the project's test signatures)" : ", already running")
            .append(" |\n");
        d.append("| spamd | at ").append(daemons.spamdAddress())
            .append(daemons.startedByHarness() ? ", started by the harness (`scripts/scanners.sh`: `--local`, `--min-children 1 --max-children " + System.getenv().getOrDefault("BULWARK_SPAMD_MAX_CHILDREN", "2") + "`, Debian's rules)" : ", already running")
            .append(" |\n\n");
        d.append("### Method\n\n");
        d.append("- **Phases**, one after the other against the same clamd and spamd: **raw daemons** (no James: per message clamd INSTREAM on the ")
            .append("client's own IDSESSION, framed in one buffer and sent in one write, then spamd `CHECK` unless infected or over 500 KB: ")
            .append("the scanning work the pipelines ask for, with nothing around it); then an in-process James per pipeline: ");
        for (Pipeline p : Pipeline.values()) {
            d.append("**").append(p.label).append("**: ").append(p.description).append("; ");
        }
        d.setLength(d.length() - 2);
        d.append(". Both scanning pipelines route the same way: infected mail to the same `file://` quarantine repository, no spam ")
            .append("check for infected mail or mail over 500 KB (Bulwark: `spamd.maxMessageSize=500K`, `skipInfected`; stock: ")
            .append("`SizeGreaterThan=500k` and the infected route before the SpamAssassin mailet), spam delivered flagged.\n");
        d.append("- **Warm-up**: before the first James phase, a throwaway James without scanning takes ").append(PipelineBenchmark.JVM_WARMUP_MESSAGES)
            .append(" messages, so that James's own code is loaded and JIT-compiled before anything is measured (in trial runs without it, ")
            .append("whichever pipeline ran first paid 2-3× the JVM CPU per message); then each phase has its own warm-up corpus.\n");
        d.append("- **Corpus**: generated from seed ").append(Corpus.SEED).append(": ").append(options.messages())
            .append(" measured messages per phase (and ").append(options.warmup())
            .append(" warm-up messages from another seed, not recorded), the same bytes for every phase: clean text messages of 5-100 KB ")
            .append("(log-uniform sizes), 4 % of 1-5 MB (a base64 text attachment; the first is 5 MB), 3 % EICAR (as an attachment), ")
            .append("3 % GTUBE. Each sending gets a unique Subject token and Message-ID.\n");
        d.append("- **Load**: ").append(options.clients()).append(" concurrent clients in a closed loop, each with one message in flight: ")
            .append("SMTP (one session per client, loopback) and then waiting until that message is seen in its final state, before sending the next. ")
            .append("Bounded by count and by ").append(options.maxSeconds()).append(" s per phase.\n");
        d.append("- **Memory check**: after its measured corpus, each James phase takes ").append(options.fiveMegabyte())
            .append(" more messages of 5 MB each (a base64 text attachment; clean, so not spam-checked) from the same ").append(options.clients())
            .append(" clients: the rows marked (5 MB).\n");
        d.append("- **Final state, confirmed**: delivered = seen in the recipient's INBOX over IMAP (only new messages' headers fetched), ")
            .append("with the spam flag (`X-Spam-Flag: YES` from Bulwark, `org.apache.james.spamassassin.flag: YES` from the stock mailet); ")
            .append("quarantined = seen in the quarantine mail repository (read in-process through James's MailRepositoryStore). ")
            .append("Both are polled every ").append(options.pollMillis()).append(" ms, so latencies include up to one poll interval. ")
            .append("Every message's final state is checked against its kind (Verdicts).\n");
        d.append("- **msgs/s**: measured messages in their final state / (last final state − first send). **Latency**: send start to final state seen. ")
            .append("**CPU-bound capacity** = cores × 1000 / total CPU ms per message: the msgs/s the phase's CPU cost allows on this machine ")
            .append("with nobody else on it. The machine is shared (see *of which others*), so msgs/s and latency move with other users' load; ")
            .append("the capacity does not, and the targets are given both ways.\n");
        d.append("- **CPU**: JVM = this whole JVM (James, the load generator, the IMAP poller, GC, JIT: the generator's share is the same in every ")
            .append("James phase); clamd and spamd from /proc, spamd including its children (live and reaped). ")
            .append("Machine busy: all cores from /proc/stat, 100 % = every core busy; of which others = what neither this JVM nor ")
            .append("the daemons used (other users of the machine: it is shared).\n");
        d.append("- **Heap** (JVM max ").append(Math.round(Runtime.getRuntime().maxMemory() / MIB)).append(" MiB): peak heap = highest heap ")
            .append("use sampled every 20 ms during the measured phase, garbage included (it mostly shows how far G1 lets the young generation ")
            .append("grow); live heap growth = highest heap use right after a collection, minus the heap after the full GC that starts the ")
            .append("measured phase: what the phase retained at its worst, including the delivered messages James's memory mailbox keeps ")
            .append("(the same mail in every James phase, hence the comparison with no scanning).\n\n");
        d.append(markdown()).append('\n');
        return d.toString();
    }

    private static String gitDescription(Path repo) {
        try {
            Process process = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").directory(repo.toFile()).redirectErrorStream(true).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            process.getInputStream().transferTo(out);
            String head = process.waitFor() == 0 ? out.toString(StandardCharsets.UTF_8).trim() : "";
            return head.isEmpty() ? "" : " from commit `" + head + "`";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
