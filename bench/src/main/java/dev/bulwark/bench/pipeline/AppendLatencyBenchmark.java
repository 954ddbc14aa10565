package dev.bulwark.bench.pipeline;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.bulwark.bench.Machine;
import dev.bulwark.bench.PrivateScanners;

/**
 * Issue #19: what store-level scanning costs an IMAP client. The same James with Bulwark (james-conf/ as
 * shipped) three times: without the mailbox listener (listeners.xml removed), with it as shipped
 * ({@code async=true}: Bulwark scans on its own threads), and with {@code async=false} (the scan runs while
 * James's in-VM event bus makes the client wait). One IMAP client APPENDs clean messages of 4 KB, 40 KB and
 * 400 KB in turn, one at a time; the latency of each APPEND (command sent to tagged OK) is recorded. After
 * each phase, the mailbox listener's scan counter ({@code bulwark_mailbox_scanned} in {@code /metrics}) shows
 * that the listener did scan what was appended. Never part of {@code mvn verify}.
 */
public final class AppendLatencyBenchmark {
    static final String BEGIN = "<!-- append-benchmark:begin (written by AppendLatencyBenchmark --write-docs; replaced up to the end marker) -->";
    static final String END = "<!-- append-benchmark:end -->";
    private static final int[] SIZES = {4 * 1024, 40 * 1024, 400 * 1024};
    private static final Pattern SCANNED = Pattern.compile("(?m)^bulwark_mailbox_scanned\\S*\\s+([0-9.eE+]+)$");

    private record Phase(String label, String description, Consumer<Path> conf) {
    }

    private record Result(Phase phase, long[] nanos, long scanned) {
        double percentile(double p) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }

        double mean() {
            return Arrays.stream(nanos).average().orElse(0) / 1e6;
        }
    }

    private AppendLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int messages = 300;
        int warmup = 60;
        boolean writeDocs = false;
        Path repo = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--write-docs" -> writeDocs = true;
                case "--repo" -> repo = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: scripts/bench.sh --append [--write-docs] [--messages N] [--warmup N] [--repo DIR]");
                    System.exit(args[i].equals("--help") ? 0 : 64);
                }
            }
        }
        System.setProperty("james.exit.on.startup.error", "false");
        Path root = (repo != null ? repo : findRepo()).toAbsolutePath().normalize();
        System.exit(run(root, messages, warmup, writeDocs, String.join(" ", args)));
    }

    private static int run(Path repo, int messages, int warmup, boolean writeDocs, String args) throws Exception {
        String clamdEnv = System.getenv("BULWARK_TEST_CLAMD");
        String spamdEnv = System.getenv("BULWARK_TEST_SPAMD");
        PrivateScanners privateScanners = null;
        Daemons daemons;
        if (clamdEnv != null && !clamdEnv.isBlank() && spamdEnv != null && !spamdEnv.isBlank()) {
            String[] clamd = clamdEnv.trim().split(":");
            String[] spamd = spamdEnv.trim().split(":");
            daemons = new Daemons(clamd[0], Integer.parseInt(clamd[1]), spamd[0], Integer.parseInt(spamd[1]), "127.0.0.1", 0,
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), false);
        } else {
            System.err.println("bench: starting a private clamd+spamd with scripts/scanners.sh");
            privateScanners = PrivateScanners.start(repo);
            daemons = new Daemons(PrivateScanners.HOST, privateScanners.clamdPort(), PrivateScanners.HOST, privateScanners.spamdPort(),
                PrivateScanners.HOST, 0, privateScanners.clamdPid(), privateScanners.spamdPid(), java.util.Optional.empty(), true);
        }
        try {
            List<Phase> phases = List.of(
                new Phase("no listener", "listeners.xml removed: no store-level scanning", conf -> delete(conf.resolve("listeners.xml"))),
                new Phase("listener, async=true", "james-conf/listeners.xml as shipped: Bulwark scans on its own threads", conf -> { }),
                new Phase("listener, async=false", "the same listener with async=false: the in-VM event bus makes the client wait for the scan",
                    conf -> replace(conf.resolve("listeners.xml"), "<async>true</async>", "<async>false</async>")));
            long started = System.nanoTime();
            String loadBefore = loadAverage();
            // A throwaway James first, so that the JIT warm-up of James itself does not land on the first row.
            System.err.println("bench: warming up the JVM with one James (" + (warmup + messages) + " appends, not recorded)");
            measure(phases.get(0), repo, daemons, messages, warmup);
            List<Result> results = new ArrayList<>();
            for (Phase phase : phases) {
                results.add(measure(phase, repo, daemons, messages, warmup));
                Result last = results.get(results.size() - 1);
                System.err.printf(Locale.ROOT, "bench: %-24s p50 %.2f ms, p99 %.2f ms, scanned %d%n", phase.label(), last.percentile(0.5),
                    last.percentile(0.99), last.scanned());
            }
            String report = report(results, daemons, messages, warmup, args, (System.nanoTime() - started) / 1_000_000_000L)
                + "Load average (1, 5, 15 min) before the run: " + loadBefore + "; after: " + loadAverage()
                + ". On a shared machine a high load makes every row slower and noisier; compare rows of one run.\n\n";
            System.out.print(report);
            if (writeDocs) {
                writeInto(repo.resolve("docs/PERFORMANCE.md"), report);
                System.err.println("bench: wrote the APPEND latency section of docs/PERFORMANCE.md");
            }
            return 0;
        } finally {
            if (privateScanners != null) {
                privateScanners.close();
            }
        }
    }

    private static Result measure(Phase phase, Path repo, Daemons daemons, int messages, int warmup) throws Exception {
        try (JamesInstance james = JamesInstance.start(Pipeline.BULWARK, repo, daemons, conf -> {
            // The canary's background mail would compete with the measured APPENDs.
            replace(conf.resolve("bulwark.properties"), "canary.interval=5m", "canary.interval=0");
            phase.conf().accept(conf);
        })) {
            Random random = new Random(19);
            long[] nanos = new long[messages];
            try (Appender imap = Appender.open(james.imapPort())) {
                for (int i = 0; i < warmup + messages; i++) {
                    byte[] message = message(i, SIZES[i % SIZES.length], random);
                    long start = System.nanoTime();
                    imap.append(message);
                    long took = System.nanoTime() - start;
                    if (i >= warmup) {
                        nanos[i - warmup] = took;
                    }
                }
            }
            long scanned = phase.label().equals("no listener") ? 0 : awaitScanned(james.webAdminPort(), warmup + messages);
            return new Result(phase, nanos, scanned);
        }
    }

    /** The listener's scans so far, once it has caught up with what was appended (at most a minute). */
    private static long awaitScanned(int webAdminPort, int expected) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 60_000_000_000L;
        long scanned = 0;
        while (System.nanoTime() < deadline) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webAdminPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            Matcher matcher = SCANNED.matcher(metrics);
            scanned = matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : 0;
            if (scanned >= expected) {
                return scanned;
            }
            Thread.sleep(200);
        }
        return scanned;
    }

    private static byte[] message(int i, int size, Random random) {
        StringBuilder body = new StringBuilder(size + 200);
        while (body.length() < size) {
            for (int c = 0; c < 76; c++) {
                body.append((char) ('a' + random.nextInt(26)));
            }
            body.append("\r\n");
        }
        return ("From: sender@example.com\r\nTo: " + JamesInstance.RECIPIENT + "\r\nSubject: append " + i + "\r\nMessage-ID: <append-" + i
            + "@bench>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    private static String report(List<Result> results, Daemons daemons, int messages, int warmup, String args, long seconds) {
        Machine.Description machine = Machine.describe();
        double baseline = results.get(0).percentile(0.5);
        StringBuilder d = new StringBuilder();
        d.append("## IMAP APPEND latency with and without store-level scanning\n\n");
        d.append("Written by `dev.bulwark.bench.pipeline.AppendLatencyBenchmark` (module `bench/`) on ")
            .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append(". Issue #19.\n\n");
        d.append("Reproduce: `bash scripts/bench.sh --append").append(args.isEmpty() ? "" : " " + args).append("` (this run: ")
            .append(seconds).append(" s, plus the build). Machine: ").append(machine.cpus()).append(" CPUs, ").append(machine.cpuModel())
            .append(", ").append(machine.memory()).append(", ").append(machine.jdk()).append(". clamd and spamd on loopback")
            .append(daemons.startedByHarness() ? " (started by the harness)" : "").append(".\n\n");
        d.append("Method: an in-process James 3.8.1 memory server with `james-conf/` as shipped (canary off), once per row. One IMAP ")
            .append("client APPENDs clean text messages of 4 KB, 40 KB and 400 KB in turn, one at a time, to its INBOX: ").append(warmup)
            .append(" not recorded, then ").append(messages).append(" timed from the APPEND command to its tagged OK; before the rows, one ")
            .append("throwaway James takes as many appends to warm up the JVM. `scanned`: the ")
            .append("listener's `bulwark_mailbox_scanned` counter after the phase (all appended messages, warm-up included, are unstamped ")
            .append("and must be scanned).\n\n");
        d.append("| phase | what | p50 ms | p90 ms | p99 ms | mean ms | p50 vs no listener | scanned |\n");
        d.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Result result : results) {
            d.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2fx | %s |%n", result.phase().label(),
                result.phase().description(), result.percentile(0.5), result.percentile(0.9), result.percentile(0.99), result.mean(),
                result.percentile(0.5) / baseline, result.phase().label().equals("no listener") ? "-" : Long.toString(result.scanned())));
        }
        d.append("\n");
        return d.toString();
    }

    private static void writeInto(Path docs, String report) throws IOException {
        String existing = Files.readString(docs);
        String section = BEGIN + "\n" + report + END + "\n";
        int begin = existing.indexOf(BEGIN);
        int end = existing.indexOf(END);
        String updated = begin >= 0 && end > begin
            ? existing.substring(0, begin) + section + existing.substring(end + END.length()).replaceFirst("^\n", "")
            : existing.stripTrailing() + "\n\n" + section;
        Files.writeString(docs, updated);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void replace(Path file, String text, String replacement) {
        try {
            String content = Files.readString(file);
            if (!content.contains(text)) {
                throw new IllegalStateException(file + " no longer contains " + text);
            }
            Files.writeString(file, content.replace(text, replacement));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** One IMAP session that APPENDs to INBOX with synchronizing literals, as mail clients do. */
    private static final class Appender implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private int tag;

        private Appender(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        static Appender open(int port) throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(120_000);
            Appender appender = new Appender(socket);
            appender.readLine();
            appender.command("LOGIN " + JamesInstance.RECIPIENT + " " + JamesInstance.PASSWORD);
            return appender;
        }

        void append(byte[] message) throws IOException {
            String id = "a" + (++tag);
            out.write((id + " APPEND INBOX {" + message.length + "}\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line = readLine();
            if (!line.startsWith("+")) {
                throw new IOException("APPEND refused: " + line);
            }
            out.write(message);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitTagged(id);
        }

        private void command(String command) throws IOException {
            String id = "a" + (++tag);
            out.write((id + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitTagged(id);
        }

        private void awaitTagged(String id) throws IOException {
            while (true) {
                String line = readLine();
                if (line.startsWith(id + " ")) {
                    if (!line.startsWith(id + " OK")) {
                        throw new IOException(line);
                    }
                    return;
                }
            }
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("IMAP server closed the connection");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
