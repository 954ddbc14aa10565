package dev.bulwark.bench.quarantine;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.mail.internet.MimeMessage;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.core.MailAddress;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailrepository.file.FileMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;

import dev.bulwark.bench.Machine;
import dev.bulwark.extension.quarantine.IndexInSecurityStore;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineEntryCodec;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineId;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.quarantine.Reconciliation;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SecurityStoreConfig;

/**
 * The quarantine at scale (issue #22): James's file:// mail repository (the shipped default) and the SQLite
 * security store in a temporary folder, filled step by step to 100,000 entries spread over 30 days, with
 * their security events. At each step: list and filter p50/p99 as webadmin serves them (the store call and
 * the page's JSON), the counts, the console dashboard's store calls, {@code store()} with its index write,
 * the start-up check and a full reindex, and the heap after GC. Not a test: nothing here passes or fails.
 */
public final class QuarantineIndexBenchmark {
    private static final Duration SPREAD = Duration.ofDays(30);
    private static final int PAGE = 100;
    private static final String[] DOMAINS = {"example.com", "example.org", "corp.test", "mail.test", "shop.test", "bank.test", "news.test",
        "club.test"};
    private static final String[] VIRUSES = {"Win.Trojan.Agent-1", "Doc.Dropper.Emotet-2", "Html.Phishing.Bank-3", "Js.Downloader.Nemucod-4",
        "Pdf.Exploit.CVE_2023-5", "Xls.Macro.Qakbot-6", "Zip.Trojan.IcedID-7", "Bulwark-Test.EICAR_HDB-1"};
    private static final String RAW = "From: sender@example.net\r\nTo: user@example.com\r\nSubject: %s\r\nMessage-ID: <%s@bench>\r\n"
        + "Content-Type: text/plain\r\n\r\n%s\r\n";

    private final Settings settings;
    private final Random random = new Random(20261202);
    private final QuarantineEntryCodec codec = new QuarantineEntryCodec();
    private final Instant end = Instant.now();
    private final Instant start = end.minus(SPREAD);
    private Instant storeTime = start;

    record Settings(List<Integer> steps, int samples, Optional<Path> directory, int scanSamples) {
        static Settings parse(String[] args) {
            List<Integer> steps = List.of(10_000, 50_000, 100_000);
            int samples = 200;
            int scanSamples = 5;
            Optional<Path> directory = Optional.empty();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--steps" -> steps = Arrays.stream(args[++i].split(",")).map(String::trim).map(Integer::parseInt).toList();
                    case "--samples" -> samples = Integer.parseInt(args[++i]);
                    case "--scan-samples" -> scanSamples = Integer.parseInt(args[++i]);
                    case "--dir" -> directory = Optional.of(Path.of(args[++i]));
                    case "--help" -> {
                        System.out.println("scripts/bench.sh --quarantine [--steps 10000,50000,100000] [--samples 200] [--scan-samples 5] [--dir DIR]");
                        System.exit(0);
                    }
                    default -> {
                        System.err.println("unknown option " + args[i] + " (--help lists them)");
                        System.exit(64);
                    }
                }
            }
            return new Settings(steps, samples, directory, scanSamples);
        }
    }

    private QuarantineIndexBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        Path directory = settings.directory().orElseGet(() -> {
            try {
                return Files.createTempDirectory("bulwark-quarantine-bench");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            new QuarantineIndexBenchmark(settings).run(directory);
        } finally {
            if (settings.directory().isEmpty()) {
                try (Stream<Path> files = Files.walk(directory)) {
                    files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    private void run(Path directory) throws Exception {
        FileMailRepository repository = fileRepository(directory);
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return storeTime;
            }
        };
        Machine.Description machine = Machine.describe();
        List<Row> rows = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        try (SecurityStore security = SecurityStore.open(SecurityStoreConfig.sqlite(directory.resolve("security.db").toString()), Clock.systemUTC())) {
            QuarantineStore indexed = new QuarantineStore(() -> repository, SPREAD, SPREAD, clock,
                Optional.of(new IndexInSecurityStore(security.quarantineIndex(), codec)));
            QuarantineStore scanning = new QuarantineStore(() -> repository, SPREAD, SPREAD, clock);
            indexed.reconcile(false, progress -> { });
            int filled = 0;
            for (int target : settings.steps()) {
                log("filling to " + target + " entries");
                long fillStarted = System.nanoTime();
                fill(repository, security, filled, target);
                double fillSeconds = (System.nanoTime() - fillStarted) / 1e9;
                storeTime = end;
                long checkStarted = System.nanoTime();
                Reconciliation check = indexed.reconcile(false, progress -> { });
                double checkSeconds = (System.nanoTime() - checkStarted) / 1e9;
                log(String.format(Locale.ROOT, "%d entries; start-up check added %d in %.1f s", target, check.added(), checkSeconds));
                filled = target;
                rows.addAll(measure(target, indexed, security));
                if (target == settings.steps().get(0) && settings.scanSamples() > 0) {
                    rows.add(sample(target, "first page, reading the repository (no index)", settings.scanSamples(),
                        () -> codec.write(scanning.list(QuarantineFilter.ALL, 0, PAGE))));
                }
                rows.add(storeLatency(target, indexed));
                long reindexStarted = System.nanoTime();
                indexed.reconcile(true, progress -> { });
                double reindexSeconds = (System.nanoTime() - reindexStarted) / 1e9;
                steps.add(new Step(target, fillSeconds, check.added(), checkSeconds, reindexSeconds, heapAfterGc(),
                    Files.size(directory.resolve("security.db"))));
                log(String.format(Locale.ROOT, "%d entries: full reindex %.1f s, heap after GC %.1f MB", target, reindexSeconds,
                    steps.get(steps.size() - 1).heapAfterGc() / 1e6));
            }
        }
        print(machine, rows, steps);
    }

    private record Row(int entries, String call, int samples, double p50, double p99, double max, String result) {
    }

    private record Step(int entries, double fillSeconds, long checkAdded, double checkSeconds, double reindexSeconds, long heapAfterGc,
                        long databaseBytes) {
    }

    private List<Row> measure(int entries, QuarantineStore store, SecurityStore security) {
        int samples = settings.samples();
        List<Row> rows = new ArrayList<>();
        Map<String, QuarantineFilter> filters = new LinkedHashMap<>();
        filters.put("filtered page: reason=spam", filter(Optional.of(QuarantineReason.SPAM), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty()));
        filters.put("filtered page: sender=@bank.test", filter(Optional.empty(), Optional.of("@bank.test"), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty()));
        filters.put("filtered page: recipient=user7@corp.test", filter(Optional.empty(), Optional.empty(), Optional.of("user7@corp.test"),
            Optional.empty(), Optional.empty(), Optional.empty()));
        filters.put("filtered page: virus=emotet", filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("emotet"),
            Optional.empty(), Optional.empty()));
        filters.put("filtered page: reason=virus, recipient=@example.org, last 7 days", filter(Optional.of(QuarantineReason.VIRUS), Optional.empty(),
            Optional.of("@example.org"), Optional.empty(), Optional.of(end.minus(Duration.ofDays(7))), Optional.empty()));
        filters.put("filtered page: virus=nothing-matches", filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("nothing-matches"),
            Optional.empty(), Optional.empty()));
        rows.add(sample(entries, "first page (100)", samples, () -> codec.write(store.list(QuarantineFilter.ALL, 0, PAGE))));
        rows.add(sample(entries, "page 50 (offset 4,900)", samples, () -> codec.write(store.list(QuarantineFilter.ALL, 4_900, PAGE))));
        filters.forEach((name, filter) -> rows.add(sample(entries, name, samples, () -> codec.write(store.list(filter, 0, PAGE)))));
        rows.add(sample(entries, "counts (GET /bulwark/quarantine/counts)", samples, () -> codec.write(store.counts())));
        Instant now = Instant.now();
        rows.add(sample(entries, "dashboard: stats 1h + 24h + 7d + counts", Math.max(20, samples / 4), () -> codec.write(List.of(
            security.events().statistics(now.minus(Duration.ofHours(1)), now, Duration.ofMinutes(1)),
            security.events().statistics(now.minus(Duration.ofHours(24)), now, Duration.ofHours(1)),
            security.events().statistics(now.minus(Duration.ofDays(7)), now, Duration.ofHours(1)),
            store.counts()))));
        return rows;
    }

    /** {@code store()} as the Quarantine mailet calls it: the mail into the repository, then its row into the index. */
    private Row storeLatency(int entries, QuarantineStore store) {
        List<Double> millis = new ArrayList<>();
        List<QuarantineId> stored = new ArrayList<>();
        for (int i = 0; i < Math.min(200, settings.samples()); i++) {
            MailImpl mail = mail(entries + i);
            long started = System.nanoTime();
            stored.add(store.store(mail, QuarantineReason.VIRUS, List.of(VIRUSES[i % VIRUSES.length]), Optional.empty(), Map.of()).id());
            millis.add((System.nanoTime() - started) / 1e6);
            mail.dispose();
        }
        stored.forEach(store::delete); // the quarantine stays at its step's size
        return row(entries, "store() (repository + index row)", millis, "");
    }

    private Row sample(int entries, String call, int samples, Supplier<String> action) {
        for (int i = 0; i < Math.min(10, samples); i++) {
            action.get(); // warm-up
        }
        List<Double> millis = new ArrayList<>();
        String result = "";
        for (int i = 0; i < samples; i++) {
            long started = System.nanoTime();
            result = action.get();
            millis.add((System.nanoTime() - started) / 1e6);
        }
        log(String.format(Locale.ROOT, "%d entries: %s p99 %.1f ms", entries, call, percentile(millis, 0.99)));
        return row(entries, call, millis, String.format(Locale.ROOT, "%,d bytes of JSON", result.length()));
    }

    private static Row row(int entries, String call, List<Double> millis, String result) {
        return new Row(entries, call, millis.size(), percentile(millis, 0.5), percentile(millis, 0.99),
            millis.stream().mapToDouble(Double::doubleValue).max().orElse(0), result);
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /**
     * Entries {@code from} to {@code to}, written into the repository as the store writes them (the entry as the
     * mail's JSON attribute) but without their index rows: the start-up check that follows indexes them, as it
     * would after a crash or an upgrade. Each entry also gets the security events the pipeline records.
     */
    private void fill(FileMailRepository repository, SecurityStore security, int from, int to) throws Exception {
        List<SecurityEvent> events = new ArrayList<>();
        long spreadMicros = SPREAD.toNanos() / 1000;
        int total = settings.steps().get(settings.steps().size() - 1);
        for (int i = from; i < to; i++) {
            // Spread evenly over 30 days, interleaved so that every step covers the whole month.
            Instant at = start.plusNanos(1000 * (spreadMicros * (long) position(i, total) / total));
            QuarantineEntry entry = entry(i, at);
            MailImpl mail = mail(i);
            mail.setName(entry.id().asString());
            mail.setAttribute(new Attribute(QuarantineStore.ENTRY, AttributeValue.of(codec.write(entry))));
            repository.store(mail);
            mail.dispose();
            String kind = entry.reason() == QuarantineReason.SPAM ? "spam.spam" : "verdict.infected";
            Map<String, String> details = entry.virusNames().isEmpty() ? Map.of() : Map.of("virusNames", String.join(",", entry.virusNames()));
            events.add(SecurityEvent.of(at, kind, entry.messageId(), entry.sender(), entry.recipients(), details));
            events.add(SecurityEvent.of(at, "quarantine.stored", entry.messageId(), entry.sender(), entry.recipients(),
                Map.of("id", entry.id().asString(), "reason", entry.reason().asString())));
            if ((i + 1) % 10_000 == 0) {
                log((i + 1) + " entries written");
            }
        }
        // In time order, as the pipeline records them (a step's events at least; earlier steps' are older rows).
        events.sort(Comparator.comparing(SecurityEvent::time));
        for (int batch = 0; batch < events.size(); batch += 2_000) {
            security.events().recordAll(events.subList(batch, Math.min(events.size(), batch + 2_000)));
        }
    }

    /**
     * A permutation of [0, total): entry i's place in time, so that the entries of every step are spread over the whole
     * month (the multiplier, near total / golden ratio, is coprime with a total of 2^a 5^b and scatters consecutive i).
     */
    private static int position(int i, int total) {
        long multiplier = Math.round(total * 0.6180339887) | 1;
        while (gcd(multiplier, total) != 1) {
            multiplier += 2;
        }
        return (int) ((i * multiplier) % total);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private QuarantineEntry entry(int i, Instant at) {
        QuarantineReason reason = switch (i % 10) {
            case 0, 1, 2, 3, 4 -> QuarantineReason.VIRUS;
            case 5, 6 -> QuarantineReason.SPAM;
            case 7 -> QuarantineReason.SUSPICIOUS;
            case 8 -> QuarantineReason.BANNED;
            default -> QuarantineReason.SCAN_FAILED;
        };
        List<String> viruses = reason == QuarantineReason.VIRUS || reason == QuarantineReason.SUSPICIOUS
            ? List.of(VIRUSES[random.nextInt(VIRUSES.length)]) : List.of();
        List<String> recipients = new ArrayList<>();
        int count = 1 + (random.nextInt(10) == 0 ? random.nextInt(20) : 0);
        for (int r = 0; r < count; r++) {
            recipients.add("user" + random.nextInt(500) + "@" + DOMAINS[random.nextInt(DOMAINS.length)]);
        }
        return new QuarantineEntry(QuarantineId.random(), reason, Optional.of("sender" + random.nextInt(5000) + "@" + DOMAINS[random.nextInt(DOMAINS.length)]),
            recipients.stream().distinct().toList(), Optional.of("192.0.2." + random.nextInt(250)), Optional.of("mx.example.net"),
            Optional.of("Message " + i + " about invoice " + random.nextInt(100_000)), Optional.of("<" + i + "@bench>"), 2_000 + random.nextInt(50_000),
            at, at.plus(SPREAD), viruses, reason == QuarantineReason.SPAM ? Optional.of(15.0) : Optional.empty(),
            Map.of("bulwark.virus.status", reason.asString()), List.of(), Optional.empty(), Optional.empty());
    }

    private static MailImpl mail(int i) {
        try {
            String raw = String.format(Locale.ROOT, RAW, "Message " + i, i, "body of message " + i + " ".repeat(200));
            MimeMessage message = new MimeMessageWrapper(MimeMessageInputStreamSource.create("bench-" + i,
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))));
            return MailImpl.builder().name("bench-" + i).sender(new MailAddress("sender@example.net"))
                .addRecipient(new MailAddress("user@example.com")).mimeMessage(message).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static QuarantineFilter filter(Optional<QuarantineReason> reason, Optional<String> sender, Optional<String> recipient,
                                           Optional<String> virus, Optional<Instant> after, Optional<Instant> before) {
        return new QuarantineFilter(reason, sender, recipient, virus, after, before, false);
    }

    /** Heap in use after two full collections: what the process keeps, garbage aside. */
    private static long heapAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private void print(Machine.Description machine, List<Row> rows, List<Step> steps) {
        StringBuilder out = new StringBuilder();
        out.append("### Machine\n\n| | |\n| --- | --- |\n")
            .append("| CPUs (nproc) | ").append(machine.cpus()).append(" |\n")
            .append("| CPU model | ").append(machine.cpuModel()).append(" |\n")
            .append("| Memory | ").append(machine.memory()).append(" |\n")
            .append("| OS | ").append(machine.os()).append(" |\n")
            .append("| JDK | ").append(machine.jdk()).append(" |\n")
            .append("| JVM heap limit | ").append(String.format(Locale.ROOT, "%.0f MB", Runtime.getRuntime().maxMemory() / 1e6)).append(" |\n")
            .append("| load average at the end | ").append(loadAverage()).append(" |\n\n");
        out.append("### Calls (ms; each call as webadmin serves it: the store call and the JSON it answers)\n\n")
            .append("| entries | call | samples | p50 ms | p99 ms | max ms | answer |\n| ---: | --- | ---: | ---: | ---: | ---: | --- |\n");
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %,d | %s | %d | %.2f | %.2f | %.2f | %s |%n", row.entries(), row.call(), row.samples(),
                row.p50(), row.p99(), row.max(), row.result()));
        }
        out.append("\n### Growth\n\n")
            .append("| entries | fill (repository + events) s | start-up check: rows added | start-up check s | full reindex s | heap after GC MB | security.db MB |\n")
            .append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Step step : steps) {
            out.append(String.format(Locale.ROOT, "| %,d | %.1f | %,d | %.1f | %.1f | %.1f | %.1f |%n", step.entries(), step.fillSeconds(),
                step.checkAdded(), step.checkSeconds(), step.reindexSeconds(), step.heapAfterGc() / 1e6, step.databaseBytes() / 1e6));
        }
        System.out.print(out);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static FileMailRepository fileRepository(Path directory) throws Exception {
        FileMailRepository repository = new FileMailRepository();
        repository.setFileSystem(new FileSystem() {
            @Override
            public InputStream getResource(String url) {
                throw new UnsupportedOperationException(url);
            }

            @Override
            public File getFile(String url) {
                return directory.resolve(url.replaceFirst("^file://", "")).toFile();
            }

            @Override
            public File getBasedir() {
                return directory.toFile();
            }
        });
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("[@destinationURL]", "file://var/mail/quarantine/");
        repository.configure(configuration);
        repository.init();
        return repository;
    }

    private static void log(String line) {
        System.err.println("bench: " + line);
    }
}
