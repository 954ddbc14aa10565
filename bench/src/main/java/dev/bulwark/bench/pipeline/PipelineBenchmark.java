package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.bulwark.bench.Machine;
import dev.bulwark.bench.PrivateScanners;
import dev.bulwark.bench.RawClamdSession;

/**
 * Issues #9 and #22: Bulwark's mail pipeline (with spamd, and with rspamd) against the same pipeline built
 * from James's stock mailets, against amavisd-new in front of a James without scanning, against no scanning,
 * and against the raw daemons, in one run: same clamd, spamd and rspamd, same corpus, same load generator.
 *
 * <p>One clamd, spamd and rspamd for the whole run (started with {@code scripts/scanners.sh} on free loopback
 * ports, or {@code BULWARK_TEST_CLAMD}, {@code BULWARK_TEST_SPAMD} and {@code BULWARK_TEST_RSPAMD}). Then, one
 * after the other: the raw daemons (clamd INSTREAM on a persistent session, then spamd CHECK or rspamd
 * /checkv2, no James), and an in-process James 3.8.1 memory server per pipeline (Bulwark+spamd,
 * Bulwark+rspamd, stock, amavisd-new, no scanning), each fed by N concurrent SMTP clients in
 * a closed loop: a client sends its next message once its previous one is seen in its final state (in the
 * INBOX over IMAP, or in the quarantine repository). Each phase runs a warm-up corpus first (not
 * recorded), then the measured corpus, bounded in count and time. See {@link PipelineReport} for what is
 * printed and written.
 *
 * <p>Bulwark is loaded only from James's {@code extensions-jars/}, as operators install it:
 * {@code scripts/bench.sh --pipelines} keeps every dev.bulwark artifact off this JVM's classpath.
 */
public final class PipelineBenchmark {
    static final List<String> PHASES = List.of("raw", "bulwark", "raw-rspamd", "bulwark-rspamd", "stock", "amavisd", "no-scan");
    /** Messages through a throwaway James before the first phase (JIT warm-up of James itself; no scanning, so fast). */
    static final int JVM_WARMUP_MESSAGES = 300;

    record Options(int messages, int warmup, int fiveMegabyte, int clients, long maxSeconds, long pollMillis, List<String> phases,
                   int amavisdChildren, boolean writeDocs, Path repo, List<String> args) {
        boolean needsRspamd() {
            return phases.contains("raw-rspamd") || phases.contains("bulwark-rspamd");
        }
    }

    private PipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().equals("help")) {
                System.err.println("bench: " + e.getMessage());
            }
            usage();
            System.exit(e.getMessage().equals("help") ? 0 : 64);
            return;
        }
        // A start-up error must come back as an exception here, not end the JVM (James's default).
        System.setProperty("james.exit.on.startup.error", "false");
        System.exit(run(options));
    }

    private static void usage() {
        System.err.println("""
            usage: scripts/bench.sh --pipelines [--write-docs] [--messages N] [--warmup N] [--five-mb N] [--clients N]
                                    [--max-seconds N] [--phases raw,bulwark,raw-rspamd,bulwark-rspamd,stock,amavisd,no-scan]
                                    [--amavisd-children N] [--poll-ms N] [--repo DIR]
              --write-docs    also write the pipeline section of docs/PERFORMANCE.md (default: stdout only)
              --messages      measured messages per phase (default 100)
              --warmup        warm-up messages per phase, not recorded (default 30; before all phases, a James
                              without scanning also takes 300 messages to warm up the JIT)
              --five-mb       messages of 5 MB each after the measured corpus of Bulwark+spamd, stock and no scanning,
                              for the memory check (default 16; 0 skips it)
              --clients       concurrent SMTP clients, each with one message in flight (default 8)
              --max-seconds   bound on each measured phase; unfinished messages count as lost (default 180)
              --phases        which phases to run, in this order (default all seven)
              --amavisd-children  amavisd-new's $max_servers, mails it handles at once (default 4)
              --poll-ms       how often the INBOX and the quarantine are polled (default 50)
            Daemons: BULWARK_TEST_CLAMD=host:port, BULWARK_TEST_SPAMD=host:port and (for the rspamd phases)
            BULWARK_TEST_RSPAMD=host:port (loopback only); unset: a private clamd+spamd (+rspamd) is started with
            scripts/scanners.sh on free ports and stopped at the end. amavisd-new: Debian's package, started by the
            harness with its own configuration (scripts/bench.sh installs it when missing and root).
            Exit status: 0 valid run (targets are reported, not enforced), 2 daemons unusable, 3 lost or wrongly
            handled messages (results invalid), 64 usage.""");
    }

    static Options parse(String[] args) {
        int messages = 100;
        int warmup = 30;
        int fiveMegabyte = 16;
        int clients = 8;
        long maxSeconds = 180;
        long pollMillis = 50;
        List<String> phases = PHASES;
        int amavisdChildren = 4;
        boolean writeDocs = false;
        Path repo = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--write-docs" -> writeDocs = true;
                case "--messages" -> messages = (int) positive(arg, value(args, ++i, arg));
                case "--warmup" -> warmup = (int) positive(arg, value(args, ++i, arg));
                case "--five-mb" -> fiveMegabyte = (int) nonNegative(arg, value(args, ++i, arg));
                case "--clients" -> clients = (int) positive(arg, value(args, ++i, arg));
                case "--max-seconds" -> maxSeconds = positive(arg, value(args, ++i, arg));
                case "--poll-ms" -> pollMillis = positive(arg, value(args, ++i, arg));
                case "--phases" -> phases = Arrays.stream(value(args, ++i, arg).split(",")).map(String::trim).toList();
                case "--amavisd-children" -> amavisdChildren = (int) positive(arg, value(args, ++i, arg));
                case "--repo" -> repo = Path.of(value(args, ++i, arg));
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        for (String phase : phases) {
            if (!PHASES.contains(phase)) {
                throw new IllegalArgumentException("unknown phase " + phase + " (phases: " + String.join(",", PHASES) + ")");
            }
        }
        if (clients > 64) {
            throw new IllegalArgumentException("at most 64 clients");
        }
        if (repo == null) {
            repo = findRepo();
        }
        return new Options(messages, warmup, fiveMegabyte, clients, maxSeconds, pollMillis, phases, amavisdChildren, writeDocs,
            repo.toAbsolutePath().normalize(), List.of(args));
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static long nonNegative(String name, String text) {
        return text.trim().equals("0") ? 0 : positive(name, text);
    }

    private static long positive(String name, String text) {
        try {
            long value = Long.parseLong(text.trim());
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' is not a number");
        }
    }

    private static Path findRepo() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/scanners.sh")) && Files.isDirectory(d.resolve("james-conf"))) {
                return d;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    static int run(Options options) throws Exception {
        if (bulwarkOnClasspath()) {
            System.err.println("bench: Bulwark's classes are on this JVM's classpath; the Bulwark pipeline must load them from"
                + " extensions-jars/ only. Run it with scripts/bench.sh --pipelines.");
            return 64;
        }
        if (options.phases().contains("amavisd") && !AmavisdInstance.installed()) {
            System.err.println("bench: the amavisd phase needs Debian's amavisd-new (" + AmavisdInstance.BINARY + "): apt-get install amavisd-new,"
                + " or leave the phase out with --phases");
            return 2;
        }
        String clamdEnv = System.getenv("BULWARK_TEST_CLAMD");
        String spamdEnv = System.getenv("BULWARK_TEST_SPAMD");
        String rspamdEnv = System.getenv("BULWARK_TEST_RSPAMD");
        boolean external = clamdEnv != null && !clamdEnv.isBlank() && spamdEnv != null && !spamdEnv.isBlank()
            && (!options.needsRspamd() || rspamdEnv != null && !rspamdEnv.isBlank());
        PrivateScanners privateScanners = null;
        Daemons daemons;
        if (external) {
            String[] clamd = clamdEnv.trim().split(":");
            String[] spamd = spamdEnv.trim().split(":");
            String[] rspamd = options.needsRspamd() ? rspamdEnv.trim().split(":") : new String[] {"127.0.0.1", "0"};
            daemons = new Daemons(clamd[0], Integer.parseInt(clamd[1]), spamd[0], Integer.parseInt(spamd[1]), rspamd[0], Integer.parseInt(rspamd[1]),
                ProcessCpu.findDaemon("clamd"), ProcessCpu.findDaemon("spamd"),
                options.needsRspamd() ? ProcessCpu.findDaemon("rspamd") : java.util.Optional.empty(), false);
        } else {
            System.err.println("bench: BULWARK_TEST_CLAMD, BULWARK_TEST_SPAMD" + (options.needsRspamd() ? " and BULWARK_TEST_RSPAMD" : "")
                + " not all set: starting a private clamd+spamd" + (options.needsRspamd() ? "+rspamd" : "") + " with scripts/scanners.sh");
            try {
                privateScanners = PrivateScanners.start(options.repo(), options.needsRspamd());
            } catch (IOException e) {
                System.err.println("bench: " + e.getMessage());
                return 2;
            }
            daemons = new Daemons(PrivateScanners.HOST, privateScanners.clamdPort(), PrivateScanners.HOST, privateScanners.spamdPort(),
                PrivateScanners.HOST, privateScanners.rspamdPort(), privateScanners.clamdPid(), privateScanners.spamdPid(),
                privateScanners.rspamdPid(), true);
        }
        try {
            if (!InetAddress.getByName(daemons.clamdHost()).isLoopbackAddress() || !InetAddress.getByName(daemons.spamdHost()).isLoopbackAddress()
                || daemons.hasRspamd() && !InetAddress.getByName(daemons.rspamdHost()).isLoopbackAddress()) {
                System.err.println("bench: the daemons must be on a loopback address; this benchmark measures loopback only");
                return 64;
            }
            String clamdVersion;
            try {
                clamdVersion = sanityCheck(daemons);
            } catch (IOException e) {
                System.err.println("bench: the daemons are not usable: " + e.getMessage());
                return 2;
            }
            return benchmark(options, daemons, clamdVersion);
        } finally {
            if (privateScanners != null) {
                privateScanners.close();
            }
        }
    }

    private static boolean bulwarkOnClasspath() {
        try {
            Class.forName("dev.bulwark.scanner.clamd.ClamdPool", false, PipelineBenchmark.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Before anything is timed: clamd finds EICAR, spamd finds GTUBE, so the verdicts counted later mean something. */
    private static String sanityCheck(Daemons daemons) throws IOException {
        try (RawClamdSession clamd = RawClamdSession.open(daemons.clamdHost(), daemons.clamdPort())) {
            String version = clamd.command("VERSION");
            String eicar = clamd.scan(RawClamdSession.instreamRequest(Corpus.EICAR.getBytes(StandardCharsets.US_ASCII), 64 * 1024));
            if (!eicar.endsWith(" FOUND")) {
                throw new IOException("clamd at " + daemons.clamdAddress() + " did not detect EICAR ('" + eicar + "')");
            }
            byte[] gtube = ("Subject: test\r\n\r\n" + Corpus.GTUBE + "\r\n").getBytes(StandardCharsets.US_ASCII);
            if (!RawSpamdCheck.isSpam(daemons.spamdHost(), daemons.spamdPort(), gtube, JamesInstance.RECIPIENT)) {
                throw new IOException("spamd at " + daemons.spamdAddress() + " did not find GTUBE spam");
            }
            if (daemons.hasRspamd() && !new RawRspamdCheck(daemons.rspamdHost(), daemons.rspamdPort()).isSpam(gtube)) {
                throw new IOException("rspamd at " + daemons.rspamdAddress() + " did not find GTUBE spam");
            }
            return version;
        }
    }

    private static int benchmark(Options options, Daemons daemons, String clamdVersion) throws Exception {
        long started = System.nanoTime();
        String loadAverage = Machine.loadAverage();
        System.err.println("bench: load average at the start (1, 5, 15 min): " + loadAverage);
        List<CorpusMessage> warmup = Corpus.generate(options.warmup(), Corpus.Mix.DEFAULT, JamesInstance.RECIPIENT, Corpus.SEED + 1);
        List<CorpusMessage> measured = Corpus.generate(options.messages(), Corpus.Mix.DEFAULT, JamesInstance.RECIPIENT, Corpus.SEED);
        System.err.printf(Locale.ROOT, "bench: clamd %s at %s (pid %s), spamd at %s (pid %s)%s; %d measured + %d warm-up messages"
                + " per phase (%.1f MB measured), %d clients; phases %s%n",
            clamdVersion, daemons.clamdAddress(), daemons.clamdPidText(), daemons.spamdAddress(), daemons.spamdPidText(),
            daemons.hasRspamd() ? ", rspamd at " + daemons.rspamdAddress() + " (pid " + daemons.rspamdPidText() + ")" : "",
            measured.size(), warmup.size(), measured.stream().mapToLong(CorpusMessage::size).sum() / 1e6, options.clients(),
            String.join(",", options.phases()));
        if (options.phases().stream().anyMatch(phase -> !phase.startsWith("raw"))) {
            PhaseRunner.warmUpJames(options, daemons, Corpus.generate(JVM_WARMUP_MESSAGES, Corpus.Mix.DEFAULT, JamesInstance.RECIPIENT, Corpus.SEED + 2));
        }
        List<Measurement> results = new ArrayList<>();
        List<CorpusMessage> fiveMegabyte = Corpus.fiveMegabyte(options.fiveMegabyte(), JamesInstance.RECIPIENT, Corpus.SEED + 3);
        for (String phase : options.phases()) {
            List<Measurement> measurements = phase.startsWith("raw")
                ? List.of(PhaseRunner.raw(options, daemons, phase.equals("raw-rspamd"), warmup, measured))
                : PhaseRunner.pipeline(Pipeline.valueOf(phase.toUpperCase(Locale.ROOT).replace('-', '_')), options, daemons, warmup, measured,
                    fiveMegabyte);
            for (Measurement measurement : measurements) {
                results.add(measurement);
                System.err.printf(Locale.ROOT, "bench: %-20s %6.1f msgs/s, p99 %.0f ms, %d lost, %d wrong%n", measurement.label(),
                    measurement.messagesPerSecond(), measurement.latencyMillis(0.99), measurement.count(Outcome.State.LOST), measurement.wrong());
            }
        }
        PipelineReport report = new PipelineReport(options, daemons, clamdVersion, Machine.describe(), measured, results,
            (System.nanoTime() - started) / 1_000_000_000L, loadAverage);
        System.out.print(report.markdown());
        if (options.writeDocs()) {
            Path docs = options.repo().resolve("docs/PERFORMANCE.md");
            report.writeInto(docs);
            System.err.println("bench: wrote the pipeline section of " + docs);
        }
        return report.valid() ? 0 : 3;
    }
}
