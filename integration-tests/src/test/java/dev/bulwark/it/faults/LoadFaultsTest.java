package dev.bulwark.it.faults;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.PrivateScanners.Daemon;
import dev.bulwark.scanner.testing.PrivateScanners;
import dev.bulwark.scanner.testing.TestSamples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Faults injected while eight SMTP clients send a mixed corpus (clean, EICAR, GTUBE, 1-2 MB): clamd
 * killed and restarted, clamd stalled (SIGSTOP, then SIGCONT), spamd killed. The daemons are this
 * class's own, so that the faults touch no other test. After each: every message accepted is in its
 * recipient's mailbox or in the quarantine (mail held while clamd was away is rescanned and delivered),
 * nothing is left held or in the error repository, nothing in James logged an error, the health check
 * reported the fault while it lasted, and the heap grew by no more than the delivered mail the memory
 * app keeps (2.5 times its size) and a fixed 80 MB.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadFaultsTest {
    private static final String SENDER = "load@outside.test";
    private static final int MESSAGES = 48;
    private static final int CLIENTS = 8;
    /** Heap growth allowed besides the delivered mail the memory app holds. */
    private static final long HEAP_ALLOWANCE = 80L * 1024 * 1024;
    /** Heap per byte of delivered mail: the memory mailboxes keep each message (measured about 2). */
    private static final double HEAP_PER_DELIVERED_BYTE = 2.5;

    /** This James's clamd and spamd: killed, stalled and restarted by the tests. */
    @RegisterExtension
    @Order(1)
    static final PrivateScanners SCANNERS = PrivateScanners.onFreePorts();

    @RegisterExtension
    @Order(2)
    static final BulwarkJamesExtension JAMES = new BulwarkJamesExtension(conf -> conf
        .setProperty("bulwark.properties", "clamd.endpoints", SCANNERS.clamdAddress())
        .setProperty("bulwark.properties", "spamd.endpoints", SCANNERS.spamdAddress())
        .setProperty("bulwark.properties", "clamd.readTimeout", "3s")
        .setProperty("bulwark.properties", "clamd.probeInterval", "1s")
        .setProperty("bulwark.properties", "spamd.timeout", "5s")
        .setProperty("bulwark.properties", "spamd.probeInterval", "1s")
        .setProperty("bulwark.properties", "rescan.interval", "2s"));

    private BulwarkJames james;
    private MailClients clients;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private long heapAtStart;
    private long deliveredBytes;

    @BeforeAll
    void start(BulwarkJames james) {
        this.james = james;
        clients = new MailClients(james);
        log.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(log);
        heapAtStart = usedHeap();
    }

    @AfterAll
    void stop() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(log);
    }

    @Test
    void clamdKilledAndRestartedUnderLoad() throws Exception {
        loadWithFault("killed", () -> SCANNERS.kill(Daemon.CLAMD), "verdict.error", SCANNERS::start);
    }

    @Test
    void clamdStalledUnderLoad() throws Exception {
        loadWithFault("stalled", () -> SCANNERS.pause(Daemon.CLAMD), "verdict.error", () -> SCANNERS.resume(Daemon.CLAMD));
    }

    @Test
    void spamdKilledUnderLoad() throws Exception {
        loadWithFault("spamd", () -> SCANNERS.kill(Daemon.SPAMD), "spam.error", SCANNERS::start);
    }

    private interface Action {
        void run() throws Exception;
    }

    /**
     * Sends the corpus; a third of the way in, injects the fault; once mail has felt it (an event of
     * {@code faultSeen}) and two thirds are sent, ends it; checks the invariant.
     */
    private void loadWithFault(String name, Action fault, String faultSeen, Action recovery) throws Exception {
        int seenBefore = events(faultSeen);
        List<String> recipients = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            recipients.add(james.addUser(name + "-" + r));
        }
        Random random = new Random(name.hashCode());
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            messages.add(message(name, i, recipients.get(i % 4), random));
            if (!isVirus(i)) {
                deliveredBytes += messages.get(i).length();
            }
        }
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch faultDue = new CountDownLatch(MESSAGES / 3);
        CountDownLatch recoveryDue = new CountDownLatch(2 * MESSAGES / 3);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                int index = i;
                sent.add(pool.submit(() -> {
                    clients.send(SENDER, recipients.get(index % 4), messages.get(index));
                    accepted.incrementAndGet();
                    faultDue.countDown();
                    recoveryDue.countDown();
                    return null;
                }));
            }
            assertThat(faultDue.await(2, TimeUnit.MINUTES)).isTrue();
            fault.run();
            AWAIT.atMost(Duration.ofMinutes(2)).until(() -> events(faultSeen) > seenBefore);
            // ...and health says so: unhealthy without clamd, degraded without spamd.
            AWAIT.atMost(Duration.ofMinutes(1)).until(this::scannersHealth, status -> !status.equals("healthy"));
            assertThat(recoveryDue.await(2, TimeUnit.MINUTES)).isTrue();
            recovery.run();
            for (Future<?> future : sent) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(accepted.get()).isEqualTo(MESSAGES);

        for (int r = 0; r < 4; r++) {
            int recipient = r;
            long quarantined = java.util.stream.IntStream.range(0, MESSAGES).filter(i -> i % 4 == recipient).filter(LoadFaultsTest::isVirus).count();
            long delivered = MESSAGES / 4 - quarantined;
            String address = recipients.get(r);
            AWAIT.atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                assertThat(clients.inboxCount(address)).as("delivered to " + address).isEqualTo(delivered);
                assertThat(clients.quarantine("recipient=" + address + "&limit=1000")).as("quarantined for " + address).hasSize((int) quarantined);
            });
        }
        AWAIT.atMost(Duration.ofMinutes(1)).until(clients::nothingHeldForARescan);
        AWAIT.until(this::scannersHealth, "healthy"::equals);
        assertThat(clients.repositoryKeys("var/mail/error")).as("error repository").isEmpty();
        // Except James's leak detector, which reports at ERROR, from the garbage collector's thread, mail
        // sources of any earlier test in this JVM that were never disposed: a finding about resource
        // handling (noted in docs/RELIABILITY.md), not about this mail. And except the failed health
        // checks this test asks for: James logs each at ERROR.
        assertThat(log.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
            .filteredOn(event -> !event.getLoggerName().endsWith("LeakAwareFinalizer"))
            .filteredOn(event -> !event.getLoggerName().endsWith("HealthCheckRoutes"))
            .extracting(event -> event.getLoggerName() + ": " + event.getFormattedMessage()).as("errors logged").isEmpty();
        // The memory app keeps delivered mail on the heap: about twice its size (raw and parsed). Beyond that,
        // a fixed allowance for what the first load warms up. Measured: 85, 109, 136 MB for 15, 27, 40 MB delivered.
        long growth = usedHeap() - heapAtStart;
        assertThat(growth).as("heap growth with %d bytes delivered to in-memory mailboxes so far", deliveredBytes)
            .isLessThan(HEAP_ALLOWANCE + (long) (HEAP_PER_DELIVERED_BYTE * deliveredBytes));
    }

    private String scannersHealth() {
        return clients.webAdmin().get("/healthcheck/checks/Bulwark%20scanners").then().extract().jsonPath().getString("status");
    }

    private int events(String kind) {
        return clients.webAdmin().get("/bulwark/events?limit=1000&kind=" + kind).then().statusCode(200).extract().jsonPath().getList("$").size();
    }

    private static boolean isVirus(int i) {
        return i % 8 == 5;
    }

    private static String message(String name, int i, String to, Random random) throws Exception {
        String subject = name + " load " + i;
        if (isVirus(i)) {
            return TestSamples.messageWithAttachment(SENDER, to, subject, "e.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
        }
        return switch (i % 8) {
            case 3 -> TestSamples.plainMessage(SENDER, to, subject, TestSamples.GTUBE);
            case 7 -> {
                byte[] attachment = new byte[1024 * 1024 + random.nextInt(1024 * 1024)];
                random.nextBytes(attachment);
                yield TestSamples.messageWithAttachment(SENDER, to, subject, "big.bin", attachment);
            }
            default -> TestSamples.plainMessage(SENDER, to, subject, "a clean message " + random.nextLong() + "\r\n".repeat(1 + random.nextInt(2000)));
        };
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
