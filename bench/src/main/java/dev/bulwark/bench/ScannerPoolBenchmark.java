package dev.bulwark.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.bulwark.scanner.clamd.ClamdClient;
import dev.bulwark.scanner.clamd.ClamdPool;
import dev.bulwark.scanner.clamd.ClamdPoolConfig;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * Throughput of the clamd pool against the physical limit and against one connection per scan, in one run
 * against one clamd (issue #3, "Performance").
 *
 * <p>For each payload size (50 KB and 1 MB of deterministic printable text, clean) and each concurrency
 * (1, 2, 8 threads), three clients scan in a closed loop, each thread starting its next scan as soon as
 * the previous one answers:
 * <ul>
 *   <li><b>raw clamd</b>: each thread holds its own plain IDSESSION socket (TCP_NODELAY) and sends a
 *   pre-framed INSTREAM request in one write ({@link RawClamdSession}): the most any client can get;</li>
 *   <li><b>ClamdPool</b>: Bulwark's pool, {@code maxConnectionsPerEndpoint} = threads, called as the
 *   mailets call it ({@code scan(content, size)});</li>
 *   <li><b>ClamdClient</b>: one TCP connection per scan, like James's stock ClamAVScan mailet.</li>
 * </ul>
 * Each cell: a warm-up, then a window bounded in time in which completed scans are counted. The window is
 * split into rounds run in alternating order (raw, pool, per-scan; then per-scan, pool, raw) so that drift
 * of a shared 2-core machine falls on all three alike. Every verdict must be CLEAN; anything else is an
 * error, counted and reported loudly (exit status 3).
 *
 * <p>clamd: {@code BULWARK_TEST_CLAMD=host:port} (loopback only), else a private clamd+spamd started with
 * {@code scripts/scanners.sh} on free ports and stopped at the end. {@code --write-docs} writes
 * {@code docs/PERFORMANCE.md}. Run it with {@code scripts/bench.sh}.
 */
public final class ScannerPoolBenchmark {
    /** The payloads' random seed: the same bytes on every run and machine. */
    static final long SEED = 20_240_303L;
    static final int KB = 1024;
    static final int MB = 1024 * 1024;
    static final int CHUNK_SIZE = ClamdPoolConfig.DEFAULT_CHUNK_SIZE;
    static final double POOL_VS_RAW_TARGET = 0.9;
    static final int PER_SCAN_TARGET_SIZE = 50 * KB;
    static final String KEEP_MARKER =
        "<!-- Everything below this line is written by hand and kept when the harness rewrites this file. -->";

    static final long JVM_WARMUP_MILLIS = 4000;
    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    enum Kind {
        RAW("raw clamd", "own IDSESSION socket per thread, one pre-framed write per scan"),
        POOL("ClamdPool", "Bulwark's pool, maxConnectionsPerEndpoint = threads"),
        PER_SCAN("ClamdClient", "one TCP connection per scan (stock ClamAVScan style)");

        final String label;
        final String description;

        Kind(String label, String description) {
            this.label = label;
            this.description = description;
        }
    }

    record Options(long warmupMillis, long measureMillis, int rounds, List<Integer> threads, List<Integer> sizes,
                   boolean writeDocs, Path repo, List<String> args) {
    }

    /** One payload, with its pre-framed INSTREAM request for the raw client. */
    record Payload(String label, byte[] bytes, byte[] framed, MessageContent content) {
        static Payload of(int size) {
            byte[] bytes = printableBytes(size, SEED);
            return new Payload(sizeLabel(size), bytes, RawClamdSession.instreamRequest(bytes, CHUNK_SIZE), MessageContent.of(bytes));
        }

        int size() {
            return bytes.length;
        }
    }

    /** A client under test: hands each thread a worker. */
    interface Contender extends AutoCloseable {
        Worker worker() throws IOException;

        /** Something worth saying after a window (e.g. the pool's own counters). */
        default String note() {
            return "";
        }

        @Override
        void close();
    }

    /** One thread's way to scan: null when the verdict is CLEAN, else what went wrong. */
    interface Worker extends AutoCloseable {
        String scan() throws IOException;

        @Override
        default void close() {
        }
    }

    /** One measured window of one client. */
    record Window(long scans, long nanos, long[] latencies, long benchCpuNanos, long clamdCpuNanos, long busyJiffies,
                  long totalJiffies, long errors, String note) {
    }

    /** A cell of the table: the windows of one client, payload and concurrency, summed. */
    static final class Cell {
        final Kind kind;
        final Payload payload;
        final int threads;
        long scans;
        long nanos;
        long benchCpuNanos;
        long clamdCpuNanos;
        long busyJiffies;
        long totalJiffies;
        long errors;
        final List<long[]> latencies = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        Cell(Kind kind, Payload payload, int threads) {
            this.kind = kind;
            this.payload = payload;
            this.threads = threads;
        }

        void add(Window window) {
            scans += window.scans();
            nanos += window.nanos();
            benchCpuNanos += window.benchCpuNanos();
            clamdCpuNanos = clamdCpuNanos < 0 || window.clamdCpuNanos() < 0 ? -1 : clamdCpuNanos + window.clamdCpuNanos();
            busyJiffies += window.busyJiffies();
            totalJiffies += window.totalJiffies();
            errors += window.errors();
            latencies.add(window.latencies());
            if (!window.note().isEmpty()) {
                notes.add(window.note());
            }
        }

        double scansPerSecond() {
            return nanos == 0 ? 0 : scans / (nanos / 1e9);
        }

        double megabytesPerSecond() {
            return scansPerSecond() * payload.size() / 1e6;
        }

        double latencyMillis(double quantile) {
            long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            if (all.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(all.length - 1, Math.max(0, Math.ceil(quantile * all.length) - 1));
            return all[index] / 1e6;
        }

        double benchCpuMicrosPerScan() {
            return scans == 0 ? Double.NaN : benchCpuNanos / 1e3 / scans;
        }

        double clamdCpuMicrosPerScan() {
            return scans == 0 || clamdCpuNanos < 0 ? Double.NaN : clamdCpuNanos / 1e3 / scans;
        }

        double machineBusyPercent() {
            return totalJiffies == 0 ? Double.NaN : 100.0 * busyJiffies / totalJiffies;
        }
    }

    /** Every non-CLEAN outcome, by message. */
    static final class Errors {
        final AtomicLong total = new AtomicLong();
        final Map<String, LongAdder> byMessage = new ConcurrentHashMap<>();

        void record(String client, String message) {
            total.incrementAndGet();
            String key = client + ": " + (message.length() > 300 ? message.substring(0, 300) + "..." : message);
            if (byMessage.size() < 50 || byMessage.containsKey(key)) {
                byMessage.computeIfAbsent(key, k -> new LongAdder()).increment();
            }
        }
    }

    private ScannerPoolBenchmark() {
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
        System.exit(run(options));
    }

    private static void usage() {
        System.err.println("""
            usage: scripts/bench.sh [--write-docs] [--warmup-ms N] [--measure-ms N] [--rounds N]
                                    [--threads 1,2,8] [--sizes 50K,1M] [--repo DIR]
              --write-docs    also write docs/PERFORMANCE.md (off by default: stdout only)
              --warmup-ms     warm-up before each measured round of each client (default 500)
              --measure-ms    measured time per cell, split over the rounds (default 5000)
              --rounds        rounds per cell, client order alternating (default 4)
              --threads       concurrencies (default 1,2,8)
              --sizes         payload sizes, bytes or with K/M (default 50K,1M)
              --repo          the Bulwark repository (default: found from the working directory)
            clamd: BULWARK_TEST_CLAMD=host:port (loopback only); unset: a private clamd+spamd is started
            with scripts/scanners.sh on free ports and stopped at the end.
            Exit status: 0 valid run (targets are reported, not enforced), 2 clamd unusable,
            3 errors during the run (results invalid), 64 usage.""");
    }

    static Options parse(String[] args) {
        long warmup = 500;
        long measure = 5000;
        int rounds = 4;
        List<Integer> threads = List.of(1, 2, 8);
        List<Integer> sizes = List.of(50 * KB, MB);
        boolean writeDocs = false;
        Path repo = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--write-docs" -> writeDocs = true;
                case "--warmup-ms" -> warmup = positive(arg, value(args, ++i, arg));
                case "--measure-ms" -> measure = positive(arg, value(args, ++i, arg));
                case "--rounds" -> rounds = (int) positive(arg, value(args, ++i, arg));
                case "--threads" -> threads = Arrays.stream(value(args, ++i, arg).split(","))
                    .map(t -> (int) positive(arg, t)).toList();
                case "--sizes" -> sizes = Arrays.stream(value(args, ++i, arg).split(",")).map(ScannerPoolBenchmark::parseSize).toList();
                case "--repo" -> repo = Path.of(value(args, ++i, arg));
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        if (threads.stream().anyMatch(t -> t > 256)) {
            throw new IllegalArgumentException("at most 256 threads");
        }
        if (repo == null) {
            repo = findRepo();
        }
        return new Options(warmup, measure, rounds, threads, sizes, writeDocs, repo.toAbsolutePath().normalize(), List.of(args));
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
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

    static int parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        int factor = t.endsWith("K") ? KB : t.endsWith("M") ? MB : 1;
        String digits = factor == 1 ? t : t.substring(0, t.length() - 1);
        long size = positive("--sizes", digits) * factor;
        if (size > 24L * MB) {
            throw new IllegalArgumentException("--sizes: " + text + " is over clamd's StreamMaxLength (25M)");
        }
        return (int) size;
    }

    static String sizeLabel(int size) {
        if (size % MB == 0) {
            return size / MB + " MB";
        }
        return size % KB == 0 ? size / KB + " KB" : size + " B";
    }

    private static Path findRepo() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/scanners.sh")) && Files.isDirectory(d.resolve("scanner-pool"))) {
                return d;
            }
        }
        return dir;
    }

    /**
     * Deterministic printable text: characters 0x20..0x7E from a seeded generator, in lines of 76 with CRLF,
     * like a text/plain mail body. No test signature (EICAR, the Bulwark marker) can occur by chance.
     */
    static byte[] printableBytes(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] bytes = new byte[size];
        int column = 0;
        for (int i = 0; i < size; i++) {
            if (column == 76 && i + 1 < size) {
                bytes[i++] = '\r';
                bytes[i] = '\n';
                column = 0;
            } else {
                bytes[i] = (byte) (0x20 + random.nextInt(0x7F - 0x20));
                column++;
            }
        }
        return bytes;
    }

    static int run(Options options) throws Exception {
        PrintStream out = System.out;
        String fromEnv = System.getenv("BULWARK_TEST_CLAMD");
        PrivateScanners privateScanners = null;
        Endpoint endpoint;
        Optional<Long> clamdPid;
        if (fromEnv != null && !fromEnv.isBlank()) {
            endpoint = Endpoint.parse(fromEnv);
            clamdPid = Optional.empty();
        } else {
            System.err.println("bench: BULWARK_TEST_CLAMD not set: starting a private clamd+spamd with scripts/scanners.sh");
            try {
                privateScanners = PrivateScanners.start(options.repo());
            } catch (IOException e) {
                System.err.println("bench: " + e.getMessage());
                return 2;
            }
            endpoint = new Endpoint(PrivateScanners.HOST, privateScanners.clamdPort());
            clamdPid = privateScanners.clamdPid();
        }
        try {
            if (!InetAddress.getByName(endpoint.host()).isLoopbackAddress()) {
                System.err.println("bench: " + endpoint + " is not a loopback address; this benchmark measures loopback only");
                return 64;
            }
            if (clamdPid.isEmpty()) {
                clamdPid = Machine.findLocalClamd();
            }
            return benchmark(options, endpoint, clamdPid, fromEnv != null && !fromEnv.isBlank(), out);
        } finally {
            if (privateScanners != null) {
                privateScanners.close();
            }
        }
    }

    private record ClamdFacts(String version, String maxThreads) {
    }

    private static int benchmark(Options options, Endpoint endpoint, Optional<Long> clamdPid, boolean external, PrintStream out)
            throws InterruptedException, IOException {
        List<Payload> payloads = options.sizes().stream().map(Payload::of).toList();

        // Before anything is timed: clamd answers, finds EICAR (so a CLEAN verdict means something), and
        // finds every payload clean.
        ClamdFacts facts;
        try {
            facts = sanityCheck(endpoint, payloads);
        } catch (IOException e) {
            System.err.println("bench: clamd at " + endpoint + " is not usable: " + e.getMessage());
            return 2;
        }
        Machine.Description machine = Machine.describe();
        long cellMillis = options.warmupMillis() * options.rounds() * 3 + options.measureMillis() * 3;
        long plannedSeconds = (cellMillis * options.threads().size() * payloads.size() + 3 * JVM_WARMUP_MILLIS) / 1000;
        System.err.printf(Locale.ROOT, "bench: clamd %s at %s (MaxThreads %s)%s; %d cells x 3 clients, about %d s%n",
            facts.version(), endpoint, facts.maxThreads(),
            clamdPid.map(p -> ", pid " + p).orElse(", pid unknown: no clamd CPU figures"),
            options.threads().size() * payloads.size(), plannedSeconds);

        Errors errors = new Errors();
        // JIT warm-up of all three code paths, not recorded. The pool's path needs ~10,000 scans before C2 is done
        // with it (process CPU per scan falls from ~300 to ~80 µs over the first 6 s at one thread); shorter, and
        // the compiler threads take CPU from the first cells.
        for (Kind kind : Kind.values()) {
            measure(kind, payloads.get(0), 2, endpoint, JVM_WARMUP_MILLIS, 1, clamdPid, errors);
        }

        long roundMillis = Math.max(1, options.measureMillis() / options.rounds());
        List<Map<Kind, Cell>> rows = new ArrayList<>();
        for (Payload payload : payloads) {
            for (int threads : options.threads()) {
                Map<Kind, Cell> row = new EnumMap<>(Kind.class);
                for (Kind kind : Kind.values()) {
                    row.put(kind, new Cell(kind, payload, threads));
                }
                for (int round = 0; round < options.rounds(); round++) {
                    List<Kind> order = round % 2 == 0 ? List.of(Kind.RAW, Kind.POOL, Kind.PER_SCAN)
                        : List.of(Kind.PER_SCAN, Kind.POOL, Kind.RAW);
                    for (Kind kind : order) {
                        row.get(kind).add(measure(kind, payload, threads, endpoint, options.warmupMillis(), roundMillis, clamdPid, errors));
                    }
                }
                for (Cell cell : row.values()) {
                    System.err.printf(Locale.ROOT, "bench: %-5s %d thread(s) %-11s %8.0f scans/s%s%n", payload.label(), threads,
                        cell.kind.label, cell.scansPerSecond(), cell.errors > 0 ? "  ERRORS: " + cell.errors : "");
                }
                rows.add(row);
            }
        }

        String results = resultsTable(rows);
        String targets = targetsTable(rows, errors.total.get());
        String errorReport = errorReport(errors);
        out.println();
        out.println("## Results");
        out.println();
        out.print(results);
        out.println();
        out.println("## Targets");
        out.println();
        out.print(targets);
        out.println();
        out.print(errorReport);
        if (errors.total.get() > 0) {
            System.err.println(errorReport);
        }

        if (options.writeDocs()) {
            Path docs = options.repo().resolve("docs/PERFORMANCE.md");
            writeDocs(docs, options, endpoint, external, facts, machine, clamdPid.isPresent(), results, targets, errorReport);
            System.err.println("bench: wrote " + docs);
        }
        return errors.total.get() > 0 ? 3 : 0;
    }

    private static ClamdFacts sanityCheck(Endpoint endpoint, List<Payload> payloads) throws IOException {
        try (RawClamdSession session = RawClamdSession.open(endpoint)) {
            String version = session.command("VERSION");
            if (!version.startsWith("ClamAV ")) {
                throw new IOException("VERSION answered '" + version + "'");
            }
            String stats = session.command("STATS");
            java.util.regex.Matcher max = java.util.regex.Pattern.compile("THREADS:.*\\bmax (\\d+)").matcher(stats);
            String maxThreads = max.find() ? max.group(1) : "unknown";
            byte[] eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*".getBytes(StandardCharsets.US_ASCII);
            String eicarReply = session.scan(RawClamdSession.instreamRequest(eicar, CHUNK_SIZE));
            if (!eicarReply.endsWith(" FOUND")) {
                throw new IOException("EICAR was not detected (reply '" + eicarReply + "'): clamd lacks the test signatures,"
                    + " so a CLEAN verdict would prove nothing");
            }
            for (Payload payload : payloads) {
                String reply = session.scan(payload.framed());
                if (!reply.equals("stream: OK")) {
                    throw new IOException("the " + payload.label() + " payload is not clean: '" + reply + "'");
                }
            }
            return new ClamdFacts(version, maxThreads);
        }
    }

    private static Contender open(Kind kind, Endpoint endpoint, Payload payload, int threads) {
        return switch (kind) {
            case RAW -> new Contender() {
                @Override
                public Worker worker() throws IOException {
                    RawClamdSession session = RawClamdSession.open(endpoint);
                    return new Worker() {
                        @Override
                        public String scan() throws IOException {
                            String reply = session.scan(payload.framed());
                            return reply.equals("stream: OK") ? null : "reply '" + reply + "'";
                        }

                        @Override
                        public void close() {
                            session.close();
                        }
                    };
                }

                @Override
                public void close() {
                }
            };
            case POOL -> {
                ClamdPool pool = new ClamdPool(ClamdPoolConfig.defaults(List.of(new WeightedEndpoint(endpoint, 1)))
                    .withMaxConnectionsPerEndpoint(threads));
                yield new Contender() {
                    @Override
                    public Worker worker() {
                        return () -> verdictFailure(pool.scan(payload.content(), payload.size()));
                    }

                    @Override
                    public String note() {
                        EndpointStats stats = pool.stats().get(0);
                        return "pool sessions active " + stats.active() + " idle " + stats.idle() + ", calls " + stats.calls()
                            + ", failures " + stats.failures() + stats.lastFailure().map(f -> " (last: " + f + ")").orElse("");
                    }

                    @Override
                    public void close() {
                        pool.close();
                    }
                };
            }
            case PER_SCAN -> {
                ClamdClient client = new ClamdClient(endpoint, ScannerTimeouts.DEFAULT);
                yield new Contender() {
                    @Override
                    public Worker worker() {
                        return () -> verdictFailure(client.scan(payload.content()));
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }

    private static String verdictFailure(ScanVerdict verdict) {
        return verdict.status() == ScanVerdict.Status.CLEAN ? null : verdict.toString();
    }

    /** Growable array of latencies, one per thread. */
    private static final class Latencies {
        long[] values = new long[4096];
        int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }

    /**
     * One client, one payload, one concurrency: {@code threads} threads scan in a closed loop; after
     * {@code warmupMillis} the scans that complete within the next {@code windowMillis} are counted.
     */
    static Window measure(Kind kind, Payload payload, int threads, Endpoint endpoint, long warmupMillis, long windowMillis,
                          Optional<Long> clamdPid, Errors errors) throws InterruptedException {
        return measure(kind.label, () -> open(kind, endpoint, payload, threads), threads, warmupMillis, windowMillis, clamdPid, errors);
    }

    /** The same for any client: {@code contenders} opens it (once per window). */
    static Window measure(String label, java.util.function.Supplier<Contender> contenders, int threads, long warmupMillis,
                          long windowMillis, Optional<Long> clamdPid, Errors errors) throws InterruptedException {
        AtomicInteger phase = new AtomicInteger(WARMUP);
        AtomicLong windowErrors = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(threads);
        long[] counts = new long[threads];
        Latencies[] latencies = new Latencies[threads];
        Thread[] workers = new Thread[threads];
        try (Contender contender = contenders.get()) {
            for (int t = 0; t < threads; t++) {
                int index = t;
                latencies[t] = new Latencies();
                workers[t] = new Thread(() -> {
                    Worker worker = null;
                    boolean signalled = false;
                    try {
                        while (phase.get() != STOP) {
                            if (worker == null) {
                                try {
                                    worker = contender.worker();
                                } catch (IOException | RuntimeException e) {
                                    windowErrors.incrementAndGet();
                                    errors.record(label, "could not open: " + e);
                                    pause();
                                    continue;
                                } finally {
                                    if (!signalled) {
                                        signalled = true;
                                        ready.countDown();
                                    }
                                }
                            }
                            long start = System.nanoTime();
                            String failure;
                            try {
                                failure = worker.scan();
                            } catch (IOException | RuntimeException e) {
                                failure = e.toString();
                            }
                            long end = System.nanoTime();
                            if (failure != null) {
                                windowErrors.incrementAndGet();
                                errors.record(label, failure);
                                worker.close();
                                worker = null;
                                pause();
                            } else if (phase.get() == MEASURE) {
                                counts[index]++;
                                latencies[index].add(end - start);
                            }
                        }
                    } finally {
                        if (worker != null) {
                            worker.close();
                        }
                        if (!signalled) {
                            ready.countDown();
                        }
                    }
                }, "bench-" + label.replaceAll("\\W+", "-") + "-" + t);
                workers[t].setDaemon(true);
                workers[t].start();
            }
            ready.await(30, TimeUnit.SECONDS);
            Thread.sleep(warmupMillis);

            long cpu0 = Machine.processCpuNanos();
            long clamd0 = clamdPid.flatMap(Machine::cpuNanosOf).orElse(-1L);
            long[] jiffies0 = Machine.machineJiffies();
            long t0 = System.nanoTime();
            phase.set(MEASURE);
            Thread.sleep(windowMillis);
            phase.set(STOP);
            long t1 = System.nanoTime();
            long cpu1 = Machine.processCpuNanos();
            long clamd1 = clamdPid.flatMap(Machine::cpuNanosOf).orElse(-1L);
            long[] jiffies1 = Machine.machineJiffies();

            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(60));
                if (worker.isAlive()) {
                    errors.record(label, "a worker thread did not finish within 60 s of the window's end");
                    windowErrors.incrementAndGet();
                }
            }
            long scans = Arrays.stream(counts).sum();
            long[] all = new long[Arrays.stream(latencies).mapToInt(l -> l.size).sum()];
            int at = 0;
            for (Latencies l : latencies) {
                System.arraycopy(l.values, 0, all, at, l.size);
                at += l.size;
            }
            return new Window(scans, t1 - t0, all, cpu1 - cpu0, clamd0 < 0 || clamd1 < 0 ? -1 : clamd1 - clamd0,
                jiffies1[0] - jiffies0[0], jiffies1[1] - jiffies0[1], windowErrors.get(), contender.note());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- report ----

    static String resultsTable(List<Map<Kind, Cell>> rows) {
        StringBuilder table = new StringBuilder();
        table.append("| payload | threads | client | scans/s | MB/s | p50 ms | p99 ms | bench CPU µs/scan | clamd CPU µs/scan | machine CPU busy | errors |\n");
        table.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map<Kind, Cell> row : rows) {
            for (Cell cell : row.values()) {
                table.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    cell.payload.label(), cell.threads, cell.kind.label,
                    number(cell.scansPerSecond(), 0), number(cell.megabytesPerSecond(), 1),
                    number(cell.latencyMillis(0.5), 2), number(cell.latencyMillis(0.99), 2),
                    number(cell.benchCpuMicrosPerScan(), 0), number(cell.clamdCpuMicrosPerScan(), 0),
                    Double.isNaN(cell.machineBusyPercent()) ? "n/a" : number(cell.machineBusyPercent(), 0) + " %",
                    cell.errors == 0 ? "0" : "**" + cell.errors + "**"));
            }
        }
        return table.toString();
    }

    static String targetsTable(List<Map<Kind, Cell>> rows, long errors) {
        StringBuilder table = new StringBuilder();
        table.append("| payload | threads | raw scans/s | pool scans/s | per-scan scans/s | pool / raw | pool / per-scan "
            + "| pool ≥ 0.9× raw | pool > per-scan (50 KB) |\n");
        table.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: | :---: |\n");
        int passed = 0;
        int total = 0;
        for (Map<Kind, Cell> row : rows) {
            Cell raw = row.get(Kind.RAW);
            Cell pool = row.get(Kind.POOL);
            Cell perScan = row.get(Kind.PER_SCAN);
            double vsRaw = pool.scansPerSecond() / raw.scansPerSecond();
            double vsPerScan = pool.scansPerSecond() / perScan.scansPerSecond();
            boolean cellErrors = raw.errors + pool.errors + perScan.errors > 0;
            boolean rawTarget = !cellErrors && vsRaw >= POOL_VS_RAW_TARGET;
            total++;
            passed += rawTarget ? 1 : 0;
            String perScanVerdict = "n/a";
            if (pool.payload.size() == PER_SCAN_TARGET_SIZE) {
                boolean perScanTarget = !cellErrors && vsPerScan > 1.0;
                total++;
                passed += perScanTarget ? 1 : 0;
                perScanVerdict = verdict(perScanTarget, cellErrors);
            }
            table.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%n",
                pool.payload.label(), pool.threads, number(raw.scansPerSecond(), 0), number(pool.scansPerSecond(), 0),
                number(perScan.scansPerSecond(), 0), number(vsRaw, 2), number(vsPerScan, 2),
                verdict(rawTarget, cellErrors), perScanVerdict));
        }
        table.append(String.format(Locale.ROOT, "%n**%d of %d targets PASS**%s%n", passed, total,
            errors > 0 ? " — **INVALID RUN: " + errors + " errors, every cell with an error counts as FAIL**" : ""));
        return table.toString();
    }

    private static String verdict(boolean pass, boolean errors) {
        return pass ? "PASS" : errors ? "**FAIL** (errors)" : "**FAIL**";
    }

    static String errorReport(Errors errors) {
        long total = errors.total.get();
        if (total == 0) {
            return "Errors: none. Every verdict in warm-ups and measured windows was CLEAN (`stream: OK`).\n";
        }
        StringBuilder report = new StringBuilder();
        report.append("**!!! ").append(total).append(" ERRORS: scans that did not answer CLEAN. THESE RESULTS ARE INVALID. !!!**\n\n");
        errors.byMessage.entrySet().stream()
            .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
            .forEach(e -> report.append("- ").append(e.getValue().sum()).append(" × ").append(e.getKey().replace("|", "\\|")).append('\n'));
        return report.toString();
    }

    private static String number(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    private static void writeDocs(Path docs, Options options, Endpoint endpoint, boolean external, ClamdFacts facts,
                                  Machine.Description machine, boolean clamdCpuKnown, String results, String targets,
                                  String errorReport) throws IOException {
        String kept = "";
        if (Files.exists(docs)) {
            String existing = Files.readString(docs);
            int marker = existing.indexOf(KEEP_MARKER);
            if (marker >= 0) {
                kept = existing.substring(marker + KEEP_MARKER.length()).stripLeading();
            }
        }
        String command = (external ? "BULWARK_TEST_CLAMD=" + endpoint + " " : "") + "bash scripts/bench.sh"
            + (options.args().isEmpty() ? "" : " " + String.join(" ", options.args()));
        Map<String, String> method = new LinkedHashMap<>();
        method.put("Payloads", String.join(", ", options.sizes().stream().map(ScannerPoolBenchmark::sizeLabel).toList())
            + " (KB = 1,024 bytes, MB = 1,048,576 bytes) of printable ASCII in 76-character CRLF lines, from a fixed seed ("
            + SEED + "): clean, identical on every run. MB/s counts 10^6 bytes.");
        method.put("Concurrency", String.join(", ", options.threads().stream().map(String::valueOf).toList()) + " threads, each scanning in a closed loop (next scan as soon as the previous answers).");
        method.put("Clients", "**raw clamd**: " + Kind.RAW.description + " (the physical limit); **ClamdPool**: "
            + Kind.POOL.description + ", called like the mailets call it (`scan(content, size)`); **ClamdClient**: "
            + Kind.PER_SCAN.description + ". INSTREAM chunks of " + CHUNK_SIZE / KB + " KB for all three.");
        method.put("Timing", "first " + JVM_WARMUP_MILLIS / 1000 + " s of JIT warm-up per client (not recorded), then "
            + options.rounds() + " rounds per cell, client order alternating (raw, pool, per-scan, then reversed); each round "
            + options.warmupMillis() + " ms warm-up, then " + Math.max(1, options.measureMillis() / options.rounds())
            + " ms measured: " + options.measureMillis() + " ms measured per cell in all. Fresh pool (and sessions) per round. "
            + "Scans completing inside the window are counted; latency is per scan as the caller sees it.");
        method.put("Checks", "before timing, clamd must detect EICAR and find each payload clean; then every verdict must be CLEAN, "
            + "anything else is counted as an error and invalidates the run (exit status 3).");
        method.put("CPU columns", "bench CPU = this JVM's CPU time (all threads: workers, GC, JIT) per scan; clamd CPU = "
            + (clamdCpuKnown ? "clamd's utime+stime from /proc per scan" : "not available (clamd's PID unknown)")
            + "; machine CPU busy = all cores, from /proc/stat, 100 % = every core busy.");

        StringBuilder doc = new StringBuilder();
        doc.append("# Performance: the clamd pool, and whole mail pipelines\n\n");
        doc.append("Two benchmarks, both run by `scripts/bench.sh`: the clamd pool against raw clamd and one connection per scan (this part, ")
            .append("issue #3), and whole mail pipelines in James (Bulwark, stock mailets, no scanning, raw daemons: the section ")
            .append("[Mail pipelines](#mail-pipelines-bulwark-vs-stock-james-mailets-vs-no-scanning-vs-the-raw-daemons) below, issue #9).\n\n");
        doc.append("Written by `dev.bulwark.bench.ScannerPoolBenchmark` (module `bench/`) on ")
            .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
            .append(gitDescription(options.repo())).append(". Issue #3, \"Performance\".\n\n");
        doc.append("> **These figures are an upper bound.** clamd here loads only the project's three test signatures ")
            .append("(`scripts/signatures/`), so it spends almost nothing per byte on matching; with the official databases ")
            .append("(millions of signatures) every scan costs clamd far more, and the client's share, which is what separates ")
            .append("the pool from raw clamd, becomes smaller still. Everything runs on one machine: the benchmark's threads and clamd ")
            .append("share its cores, so a client's own CPU per scan is taken away from clamd.\n\n");
        if (errorReport.startsWith("**!!!")) {
            doc.append(errorReport).append('\n');
        }
        doc.append("## Reproduce\n\n```\n").append(command).append("\n```\n\n");
        doc.append("Without `BULWARK_TEST_CLAMD` the harness starts a private clamd+spamd with `scripts/scanners.sh` ")
            .append("(temporary run directory, free loopback ports; clamd with `MaxThreads 8`, `StreamMaxLength 25M`) and stops it ")
            .append("at the end. `--write-docs` rewrites this file; without it the tables go to stdout only. ")
            .append("`scripts/bench.sh --help` lists the options. The benchmark is never part of `mvn verify`: the `bench` module has ")
            .append("no tests and the harness runs only when called.\n\n");
        doc.append("## Machine\n\n");
        doc.append("| | |\n| --- | --- |\n");
        doc.append("| CPUs (nproc) | ").append(machine.cpus()).append(" |\n");
        doc.append("| CPU model | ").append(machine.cpuModel()).append(" |\n");
        doc.append("| Memory | ").append(machine.memory()).append(" |\n");
        doc.append("| OS | ").append(machine.os()).append(" |\n");
        doc.append("| JDK | ").append(machine.jdk()).append(" |\n");
        doc.append("| clamd | ").append(facts.version()).append(" (VERSION), MaxThreads ").append(facts.maxThreads())
            .append(" (STATS), ").append(endpoint).append(external ? ", already running" : ", started by the harness").append(" |\n\n");
        doc.append("## Method\n\n");
        method.forEach((k, v) -> doc.append("- **").append(k).append("**: ").append(v).append('\n'));
        doc.append("\n## Results\n\n").append(results).append('\n');
        doc.append("## Targets\n\n");
        doc.append("From the issue: *pool throughput at least 0.9× of raw clamd at every concurrency, and higher than ")
            .append("connection-per-scan for 50 KB payloads.*\n\n");
        doc.append(targets).append('\n');
        doc.append(errorReport).append('\n');
        doc.append(KEEP_MARKER).append("\n\n").append(kept);
        Files.createDirectories(docs.getParent());
        Files.writeString(docs, doc.toString());
    }

    private static String gitDescription(Path repo) {
        try {
            String head = runQuietly(repo, "git", "rev-parse", "--short", "HEAD").trim();
            if (head.isEmpty()) {
                return "";
            }
            String dirty = runQuietly(repo, "git", "status", "--porcelain", "--untracked-files=no").isBlank() ? "" : ", with uncommitted changes";
            return " from commit `" + head + "`" + dirty;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String runQuietly(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        process.getInputStream().transferTo(output);
        return process.waitFor() == 0 ? output.toString(StandardCharsets.UTF_8) : "";
    }
}
