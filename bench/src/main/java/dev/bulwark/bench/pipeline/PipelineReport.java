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
    static final double AMAVISD_TARGET = 1.0;
    static final double RSPAMD_TARGET = 5.0;
    static final double RAW_TARGET = 0.8;
    private static final double MIB = 1024 * 1024;

    private final PipelineBenchmark.Options options;
    private final Daemons daemons;
    private final String clamdVersion;
    private final Machine.Description machine;
    private final List<CorpusMessage> corpus;
    private final List<Measurement> results;
    private final long elapsedSeconds;
    private final String loadAverageAtStart;
    private final String loadAverageAtEnd;

    PipelineReport(PipelineBenchmark.Options options, Daemons daemons, String clamdVersion, Machine.Description machine,
                   List<CorpusMessage> corpus, List<Measurement> results, long elapsedSeconds, String loadAverageAtStart) {
        this.options = options;
        this.daemons = daemons;
        this.clamdVersion = clamdVersion;
        this.machine = machine;
        this.corpus = corpus;
        this.results = results;
        this.elapsedSeconds = elapsedSeconds;
        this.loadAverageAtStart = loadAverageAtStart;
        this.loadAverageAtEnd = Machine.loadAverage();
    }

    /** A run is valid when every measured message reached the final state its kind calls for. */
    boolean valid() {
        return results.stream().allMatch(m -> m.wrong() == 0 && m.count(Outcome.State.LOST) == 0);
    }

    String markdown() {
        return "### Results\n\n" + resultsTable() + "\n### By recipient count\n\n" + bucketsTable() + "\n### Verdicts\n\n" + verdictsTable()
            + "\n### Targets\n\n" + targetsTable()
            + "\n### Where the JVM's CPU went\n\n" + threadsTable()
            + (valid() ? "" : "\n**!!! INVALID RUN: messages were lost or handled wrongly (see Verdicts). !!!**\n");
    }

    private Optional<Measurement> find(String label) {
        return results.stream().filter(m -> m.label().equals(label)).findFirst();
    }

    String resultsTable() {
        StringBuilder t = new StringBuilder();
        t.append("| phase | messages | msgs/s | recipient deliveries/s | p50 ms | p95 ms | p99 ms | JVM CPU ms/msg | clamd CPU ms/msg "
            + "| spamd CPU ms/msg | rspamd CPU ms/msg | amavisd CPU ms/msg | total CPU ms/msg | CPU-bound capacity msgs/s | machine busy "
            + "| of which others | peak heap MiB | live heap growth MiB |\n");
        t.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Measurement m : results) {
            t.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                m.label(), m.completed(), number(m.messagesPerSecond(), 1), number(m.deliveriesPerSecond(), 1),
                number(m.latencyMillis(0.5), 0), number(m.latencyMillis(0.95), 0), number(m.latencyMillis(0.99), 0),
                number(m.cpuMillisPerMessage(m.jvmCpuNanos()), 1), number(m.cpuMillisPerMessage(m.clamdCpuNanos()), 1),
                number(m.cpuMillisPerMessage(m.spamdCpuNanos()), 1), optional(m, m.rspamdCpuNanos()), optional(m, m.amavisdCpuNanos()),
                number(m.totalCpuMillisPerMessage(), 1), number(m.cpuBoundCapacity(machine.cpus()), 1),
                Double.isNaN(m.machineBusyPercent()) ? "n/a" : number(m.machineBusyPercent(), 0) + " %",
                Double.isNaN(m.othersPercent()) ? "n/a" : number(m.othersPercent(), 0) + " %",
                number(m.peakHeapUsed() / MIB, 0), m.heapGrowthAfterGc() < 0 ? "n/a" : number(m.heapGrowthAfterGc() / MIB, 0)));
        }
        return t.toString();
    }

    /** A daemon that runs only in some phases: "–" where it did not run. */
    private static String optional(Measurement m, long nanos) {
        return nanos < 0 ? "–" : number(m.cpuMillisPerMessage(nanos), 1);
    }

    /**
     * Per phase and recipient-count bucket: how many messages, and their latency (send to final state seen in
     * the last recipient's INBOX or in the quarantine). Throughput and CPU are not split: messages of all
     * buckets are in flight together.
     */
    String bucketsTable() {
        List<String> buckets = Corpus.buckets();
        StringBuilder t = new StringBuilder("Messages, then p50 / p95 latency in ms, by envelope recipients (the corpus: ");
        for (String bucket : buckets) {
            long n = corpus.stream().filter(c -> c.bucket().equals(bucket)).count();
            t.append(bucket).append(": ").append(n).append(", ");
        }
        t.setLength(t.length() - 2);
        t.append(String.format(Locale.ROOT, "; %.1f recipients per message on average).%n%n",
            corpus.stream().mapToInt(c -> c.recipients().size()).average().orElse(0)));
        t.append("| phase |");
        buckets.forEach(b -> t.append(" ").append(b).append(" recipient(s) |"));
        t.append("\n| --- |");
        buckets.forEach(b -> t.append(" ---: |"));
        t.append("\n");
        for (Measurement m : results) {
            if (m.label().endsWith(PhaseRunner.FIVE_MB)) {
                continue;
            }
            t.append("| ").append(m.label()).append(" |");
            for (String bucket : buckets) {
                List<LoadGenerator.Sample> samples = m.samples(bucket);
                long done = samples.stream().filter(s -> s.outcome().state() != Outcome.State.LOST).count();
                t.append(" ").append(done).append(": ").append(number(Measurement.latencyMillis(samples, 0.5), 0)).append(" / ")
                    .append(number(Measurement.latencyMillis(samples, 0.95), 0)).append(" |");
            }
            t.append("\n");
        }
        return t.toString();
    }

    String verdictsTable() {
        StringBuilder t = new StringBuilder();
        long gtube = corpus.stream().filter(c -> c.kind() == MessageKind.GTUBE).count();
        long eicar = corpus.stream().filter(c -> c.kind() == MessageKind.EICAR).count();
        long clean = corpus.stream().filter(c -> !c.kind().expectedSpamFlag && c.kind().expectedState == Outcome.State.DELIVERED).count();
        long campaignSends = corpus.stream().filter(c -> c.campaign() >= 0).count();
        long campaigns = corpus.stream().filter(c -> c.campaign() >= 0).mapToInt(CorpusMessage::campaign).distinct().count();
        t.append(String.format(Locale.ROOT, "Corpus: %d messages (%d clean of 5-100 KB or campaign sends, of which %d are sends of %d campaigns; "
                + "%d with a 20-300 KB attachment; %d of 1-5 MB; %d EICAR; %d GTUBE), %d recipient deliveries. "
                + "A scanning pipeline must deliver %d unflagged, deliver %d flagged as spam and quarantine %d; "
                + "without scanning all %d are delivered unflagged.%n%n",
            corpus.size(), count(MessageKind.CLEAN), campaignSends, campaigns, count(MessageKind.ATTACHMENT), count(MessageKind.LARGE), eicar, gtube,
            corpus.stream().mapToInt(c -> c.recipients().size()).sum(), clean, gtube, eicar, corpus.size()));
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
        Optional<Measurement> rspamd = find(Pipeline.BULWARK_RSPAMD.label);
        Optional<Measurement> stock = find(Pipeline.STOCK.label);
        Optional<Measurement> amavisd = find(Pipeline.AMAVISD.label);
        Optional<Measurement> noScan = find(Pipeline.NO_SCAN.label);
        Optional<Measurement> raw = find(PhaseRunner.RAW);
        Optional<Measurement> rawRspamd = find(PhaseRunner.RAW_RSPAMD);
        StringBuilder t = new StringBuilder();
        t.append("Each ratio twice: by throughput (msgs/s, which other users of the machine move) and by CPU-bound capacity (which ")
            .append("they do not). The last column takes each side's CPU per message apart, in ms: where a target is missed, that is why.\n\n");
        t.append("| comparison | this | other | ratio | target | verdict | CPU ms/msg, this vs other |\n| --- | ---: | ---: | ---: | --- | :---: | --- |\n");
        compare(t, bulwark, stock, STOCK_TARGET);
        bulwark.ifPresent(b -> stock.ifPresent(s -> {
            double p99 = b.latencyMillis(0.99) / s.latencyMillis(0.99);
            t.append(String.format(Locale.ROOT, "| p99 latency %s / %s | %s ms | %s ms | %s | < 1 (lower) | %s | |%n", b.label(), s.label(),
                number(b.latencyMillis(0.99), 0), number(s.latencyMillis(0.99), 0), number(p99, 2), p99 < 1 ? "PASS" : "**MISS**"));
        }));
        compare(t, bulwark, amavisd, AMAVISD_TARGET);
        compare(t, rspamd, bulwark, RSPAMD_TARGET);
        compare(t, bulwark, raw, RAW_TARGET);
        compare(t, rspamd, rawRspamd, RAW_TARGET);
        bulwark.ifPresent(b -> noScan.ifPresent(n -> t.append(String.format(Locale.ROOT,
            "| throughput %s / no scanning | %s msgs/s | %s msgs/s | %s | (no target: the cost of scanning) | | |%n",
            b.label(), number(b.messagesPerSecond(), 1), number(n.messagesPerSecond(), 1), number(b.messagesPerSecond() / n.messagesPerSecond(), 2)))));
        memoryTarget(t);
        return t.toString();
    }

    /** Two rows, throughput and CPU-bound capacity, when both phases ran. */
    private void compare(StringBuilder t, Optional<Measurement> mine, Optional<Measurement> other, double target) {
        if (mine.isEmpty() || other.isEmpty()) {
            return;
        }
        Measurement a = mine.get();
        Measurement b = other.get();
        int cores = machine.cpus();
        String why = components(a) + " vs " + components(b);
        double ratio = a.messagesPerSecond() / b.messagesPerSecond();
        t.append(row("throughput " + a.label() + " / " + b.label() + ", " + options.clients() + " clients", a.messagesPerSecond(),
            b.messagesPerSecond(), ratio, "≥ " + target + "×", ratio >= target, "msgs/s", why));
        double capacity = a.cpuBoundCapacity(cores) / b.cpuBoundCapacity(cores);
        t.append(row("CPU-bound capacity " + a.label() + " / " + b.label(), a.cpuBoundCapacity(cores), b.cpuBoundCapacity(cores), capacity,
            "≥ " + target + "×", capacity >= target, "msgs/s", ""));
    }

    /** "JVM 66 + clamd 7 + spamd 430 = 503": the components that cost at least 0.5 ms per message. */
    private static String components(Measurement m) {
        StringBuilder c = new StringBuilder();
        String[] names = {"JVM", "clamd", "spamd", "rspamd", "amavisd"};
        long[] nanos = {m.jvmCpuNanos(), m.clamdCpuNanos(), m.spamdCpuNanos(), m.rspamdCpuNanos(), m.amavisdCpuNanos()};
        for (int i = 0; i < names.length; i++) {
            double ms = m.cpuMillisPerMessage(nanos[i]);
            if (!Double.isNaN(ms) && ms >= 0.5) {
                c.append(c.length() == 0 ? "" : " + ").append(names[i]).append(' ').append(number(ms, 0));
            }
        }
        return c.append(" = ").append(number(m.totalCpuMillisPerMessage(), 0)).toString();
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
            t.append("| live heap with 5 MB messages (needs the Bulwark+spamd and no-scanning phases and --five-mb) | | | | | n/a | |\n");
            return;
        }
        double bound = options.clients() * 5.0;
        double extra = (bulwark.get().heapGrowthAfterGc() - noScan.get().heapGrowthAfterGc()) / MIB;
        t.append(String.format(Locale.ROOT, "| live heap growth with 5 MB messages, %d clients: Bulwark above no scanning%s | %s MiB | %s MiB "
                + "| %s%s MiB | < %s MiB (one 5 MB copy per client) | %s | |%n",
            options.clients(), stock.map(s -> " (stock: " + number(s.heapGrowthAfterGc() / MIB, 0) + " MiB)").orElse(""),
            number(bulwark.get().heapGrowthAfterGc() / MIB, 0), number(noScan.get().heapGrowthAfterGc() / MIB, 0),
            extra >= 0 ? "+" : "", number(extra, 0), number(bound, 0), extra < bound ? "PASS" : "**MISS**"));
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

    private static String row(String what, double mine, double other, double ratio, String target, boolean pass, String unit, String why) {
        return String.format(Locale.ROOT, "| %s | %s %s | %s %s | %s | %s | %s | %s |%n", what, number(mine, 1), unit, number(other, 1), unit,
            number(ratio, 2), target, pass ? "PASS" : "**MISS**", why);
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
        d.append("## Mail pipelines: Bulwark (spamd, rspamd) vs stock James mailets vs amavisd-new vs no scanning vs the raw daemons\n\n");
        d.append("Written by `dev.bulwark.bench.pipeline.PipelineBenchmark` (module `bench/`) on ")
            .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
            .append(gitDescription(options.repo())).append(". Issues #9 and #22.\n\n");
        d.append("### Reproduce\n\n```\n")
            .append(daemons.startedByHarness() ? "" : "BULWARK_TEST_CLAMD=" + daemons.clamdAddress() + " BULWARK_TEST_SPAMD=" + daemons.spamdAddress()
                + (daemons.hasRspamd() ? " BULWARK_TEST_RSPAMD=" + daemons.rspamdAddress() : "") + " ")
            .append("bash scripts/bench.sh --pipelines").append(options.args().isEmpty() ? "" : " " + String.join(" ", options.args()))
            .append("\n```\n\n");
        d.append("This run took ").append(Math.round(elapsedSeconds / 60.0 * 10) / 10.0).append(" minutes on the machine below, plus the build. `scripts/bench.sh --pipelines --help` ")
            .append("lists the options; `--phases bulwark --messages 40` is a quick smoke run. Never part of `mvn verify`. ")
            .append("Load average (1, 5, 15 min) at the start: ").append(loadAverageAtStart).append("; at the end: ").append(loadAverageAtEnd)
            .append(" (2 cores: above 2, other work waited for a core; the machine is shared).\n\n");
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
            .append(" |\n");
        if (daemons.hasRspamd()) {
            d.append("| rspamd | at ").append(daemons.rspamdAddress())
                .append(daemons.startedByHarness() ? ", started by the harness (`scripts/scanners.sh`: Debian's rspamd 3.4, offline: no DNS lists, URL maps, "
                    + "fuzzy or DNS; one worker-normal; no redis, so no Bayes)" : ", already running")
                .append(" |\n");
        }
        if (options.phases().contains("amavisd")) {
            d.append("| amavisd-new | ").append(AmavisdInstance.version().orElse("unknown version"))
                .append(", started by the harness for its phase: `$max_servers` ").append(options.amavisdChildren())
                .append(", SpamAssassin in-process (Debian's rules and local.cf, `$sa_local_tests_only`), `$sa_mail_body_size_limit` ")
                .append(PhaseRunner.AMAVISD_SPAM_SIZE_LIMIT / 1024).append(" KB (Debian's default), clamd by `CONTSCAN` on the same clamd |\n");
        }
        d.append("\n### Method\n\n");
        d.append("- **Phases**, one after the other against the same clamd, spamd and rspamd: **raw daemons (spamd)** and **raw daemons (rspamd)** ")
            .append("(no James: per message clamd INSTREAM on the client's own IDSESSION, framed in one buffer and sent in one write, then, unless ")
            .append("infected or over 500 KB, one spamd `CHECK` or one rspamd `/checkv2` on a kept-alive connection: the scanning work Bulwark asks ")
            .append("for, once per mail, with nothing around it); then an in-process James per pipeline: ");
        for (Pipeline p : Pipeline.values()) {
            d.append("**").append(p.label).append("**: ").append(p.description).append("; ");
        }
        d.setLength(d.length() - 2);
        d.append(". Both scanning pipelines route the same way: infected mail to the same `file://` quarantine repository, no spam ")
            .append("check for infected mail or mail over 500 KB (Bulwark: `spamd.maxMessageSize=500K`, `skipInfected`; stock: ")
            .append("`SizeGreaterThan=500k` and the infected route before the SpamAssassin mailet), spam delivered flagged. ")
            .append("The stock SpamAssassin mailet, as James ships it, asks spamd once per recipient (`User:` each recipient), so a mail to 20 ")
            .append("recipients costs 20 checks; Bulwark (per-recipient checks off, its default) and amavisd-new check once per mail. amavisd-new ")
            .append("cannot skip SpamAssassin by size: it truncates larger mail to `$sa_mail_body_size_limit` and checks that; its infected mail ")
            .append("is discarded after a copy to its own quarantine directory (what the tracker reads for it).\n");
        d.append("- **Warm-up**: before the first James phase, a throwaway James without scanning takes ").append(PipelineBenchmark.JVM_WARMUP_MESSAGES)
            .append(" messages, so that James's own code is loaded and JIT-compiled before anything is measured (in trial runs without it, ")
            .append("whichever pipeline ran first paid 2-3× the JVM CPU per message); then each phase has its own warm-up corpus.\n");
        d.append("- **Corpus**, shaped like real traffic: generated from seed ").append(Corpus.SEED).append(": ").append(options.messages())
            .append(" measured messages per phase (and ").append(options.warmup())
            .append(" warm-up messages from another seed, not recorded), the same bytes for every phase. Kinds, in exact shares: clean text messages of ")
            .append("5-100 KB (log-uniform sizes), 15 % clean with a 20-300 KB binary attachment, 4 % of 1-5 MB (a base64 text attachment; the first ")
            .append("is 5 MB), 3 % EICAR (as an attachment), 3 % GTUBE, and 20 % duplicates: sends of a few campaigns (").append(Corpus.SENDS_PER_CAMPAIGN)
            .append(" sends each of the same 8-40 KB newsletter, each to other users). Envelope recipients, also in exact shares: 1 for 55 %, ")
            .append("2-3 for 25 % (uniform), 4-10 for 12 % (uniform), 11-50 for 8 % (log-uniform, so the tail thins out; one message has 50); ")
            .append("1-5 MB messages get at most ").append(Corpus.LARGE_MAX_RECIPIENTS).append(" (their counts swapped with plain messages': ")
            .append("James's memory mailbox keeps a copy per recipient in the benchmark's heap); ")
            .append("the users are `user01`…`user49@bulwark.test` and the tracked `bench@bulwark.test`, always the last recipient. Each sending gets ")
            .append("a unique Subject token and Message-ID.\n");
        d.append("- **Load**: ").append(options.clients()).append(" concurrent clients in a closed loop, each with one message in flight: ")
            .append("SMTP (one session per client, loopback) and then waiting until that message is seen in its final state, before sending the next. ")
            .append("Bounded by count and by ").append(options.maxSeconds()).append(" s per phase.\n");
        d.append("- **Memory check**: after its measured corpus, each of Bulwark+spamd, stock and no scanning takes ").append(options.fiveMegabyte())
            .append(" more messages of 5 MB each (a base64 text attachment; clean, so not spam-checked) from the same ").append(options.clients())
            .append(" clients: the rows marked (5 MB).\n");
        d.append("- **Final state, confirmed**: delivered = seen in the tracked (last) recipient's INBOX over IMAP (only new messages' headers ")
            .append("fetched); James's LocalDelivery delivers a mail's recipients one after the other in envelope order, so by then every recipient ")
            .append("has it; ")
            .append("with the spam flag (`X-Spam-Flag: YES` from Bulwark, `org.apache.james.spamassassin.flag: YES` from the stock mailet); ")
            .append("quarantined = seen in the quarantine mail repository (read in-process through James's MailRepositoryStore; amavisd-new: ")
            .append("its quarantine directory). ")
            .append("Both are polled every ").append(options.pollMillis()).append(" ms, so latencies include up to one poll interval. ")
            .append("Every message's final state is checked against its kind (Verdicts).\n");
        d.append("- **msgs/s**: measured messages in their final state / (last final state − first send); recipient deliveries/s counts each ")
            .append("delivered message once per envelope recipient. **Latency**: send start to final state seen, also by recipient-count bucket. ")
            .append("**CPU-bound capacity** = cores × 1000 / total CPU ms per message: the msgs/s the phase's CPU cost allows on this machine ")
            .append("with nobody else on it. The machine is shared (see *of which others*), so msgs/s and latency move with other users' load; ")
            .append("the capacity does not, and the targets are given both ways.\n");
        d.append("- **CPU**: JVM = this whole JVM (James, the load generator, the IMAP poller, GC, JIT: the generator's share is the same in every ")
            .append("James phase); clamd, spamd, rspamd and amavisd-new from /proc, each with its children (live and reaped: spamd's and amavisd's ")
            .append("preforked children, rspamd's workers, the file(1) and decoder runs of amavisd's children). ")
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
