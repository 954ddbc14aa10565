package dev.bulwark.it.admin;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Nothing accepted is lost: under concurrent load and with hostile input, every message James
 * accepted ends in exactly one place (a mailbox or the quarantine here, since the scanners run), and
 * none in James's error repository. Counted per recipient, so that each message is accounted for.
 */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class AccountingTest {
    private static final String SENDER = "load@outside.test";
    private static final int CLIENTS = 16;
    private static final int MESSAGES = 160;
    private MailClients clients;
    private BulwarkJames james;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
    }

    private enum Kind { CLEAN, EICAR, GTUBE, LARGE, ZIPPED_EICAR }

    private static Kind kind(int i) {
        return switch (i % 10) {
            case 6 -> Kind.EICAR;
            case 7 -> Kind.GTUBE;
            case 8 -> Kind.LARGE;
            case 9 -> Kind.ZIPPED_EICAR;
            default -> Kind.CLEAN;
        };
    }

    @Test
    void aMixedLoadFromSixteenClientsIsFullyAccountedFor() throws Exception {
        List<String> recipients = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            recipients.add(james.addUser("load-" + r));
        }
        Random random = new Random(20261122);
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            messages.add(message(i, recipients.get(i % 4), random));
        }

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                int index = i;
                sent.add(pool.submit(() -> {
                    clients.send(SENDER, recipients.get(index % 4), messages.get(index));
                    return null;
                }));
            }
            for (Future<?> future : sent) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        for (int r = 0; r < 4; r++) {
            int recipient = r;
            long delivered = java.util.stream.IntStream.range(0, MESSAGES).filter(i -> i % 4 == recipient)
                .filter(i -> kind(i) != Kind.EICAR && kind(i) != Kind.ZIPPED_EICAR).count();
            long quarantined = java.util.stream.IntStream.range(0, MESSAGES).filter(i -> i % 4 == recipient)
                .filter(i -> kind(i) == Kind.EICAR || kind(i) == Kind.ZIPPED_EICAR).count();
            String address = recipients.get(r);
            AWAIT.atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                assertThat(clients.inboxCount(address)).as("delivered to " + address).isEqualTo(delivered);
                assertThat(clients.quarantine("recipient=" + address + "&limit=1000")).as("quarantined for " + address).hasSize((int) quarantined);
            });
        }
        assertNothingInErrorOrHeld();
    }

    @Test
    void hostileInputGetsAVerdictAndIsNeverLost() throws Exception {
        String recipient = james.addUser("hostile");
        Map<String, String> corpus = new java.util.LinkedHashMap<>();
        String boundary = "b-hostile";
        corpus.put("missing closing boundary", multipart(recipient, "missing closing boundary", boundary,
            "--" + boundary + "\r\nContent-Type: text/plain\r\n\r\nno end in sight\r\n"));
        corpus.put("bad base64", multipart(recipient, "bad base64", boundary,
            "--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@not*base64!!!\r\n--" + boundary + "--\r\n"));
        corpus.put("long header line", headers(recipient, "long header line") + "X-Long: " + "a".repeat(5000) + "\r\n\r\nbody\r\n");
        corpus.put("deep nesting", nested(recipient, 60));
        // Over clamd's scan limits (MaxFiles): Heuristics.Limits.Exceeded.*, SUSPICIOUS.
        corpus.put("many parts", manyParts(recipient, 10_000));
        corpus.put("latin-1 headers", headers(recipient, "latin-1 headers") + "X-Name: Fran\u00e7ois M\u00fcller\r\n\r\nbody\r\n");
        corpus.put("empty body", headers(recipient, "empty body") + "\r\n");
        corpus.put("hostile file name", multipart(recipient, "hostile file name", boundary,
            "--" + boundary + "\r\nContent-Type: application/octet-stream; name=\"../../etc/passwd\u0007.exe\"\r\n"
                + "Content-Disposition: attachment; filename=\"..\\\\..\\\\boot.ini\u0001\"\r\n\r\nhello\r\n--" + boundary + "--\r\n"));
        corpus.put("eicar in hostile nesting", nestedEicar(recipient, 10));
        // Beyond clamd's recursion limit (MaxRecursion 17; "deep nesting" above too): Heuristics.Limits.Exceeded.*, SUSPICIOUS.
        corpus.put("nested archives", TestSamples.messageWithAttachment(SENDER, recipient, "nested archives", "deep.zip", nestedZip(25)));
        // 100 MB of zeros in 100 KB: clamd 1.4 skips what is over its MaxFileSize without a word; HasBannedAttachment bans it.
        corpus.put("zip bomb", TestSamples.messageWithAttachment(SENDER, recipient, "zip bomb", "bomb.zip", zipBomb(100)));
        // One part over clamd's StreamMaxLength (25M): scanned by parts, still UNSCANNABLE, held, never delivered.
        corpus.put("oversize", TestSamples.messageWithAttachment(SENDER, recipient, "oversize", "big.bin", bytes(new Random(7), 26 * 1024 * 1024)));

        for (String message : corpus.values()) {
            clients.send(SENDER, recipient, message);
        }

        AWAIT.atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            assertThat(clients.inboxCount(recipient)).isEqualTo(corpus.size() - 8);
            // bad base64: decoders disagree on what it holds, so what a client shows was never inspected (uninspectable)
            assertThat(clients.quarantine("recipient=" + recipient)).extracting(entry -> entry.get("subject") + ": " + entry.get("reason"))
                .containsExactlyInAnyOrder("eicar in hostile nesting: virus", "nested archives: suspicious", "deep nesting: suspicious",
                    "hostile file name: banned", "zip bomb: banned", "many parts: suspicious", "bad base64: banned",
                    "oversize: unscannable");
        });
        assertThat(clients.quarantine("recipient=" + recipient + "&reason=suspicious")).allSatisfy(entry ->
            assertThat((List<String>) entry.get("virusNames")).singleElement().asString().startsWith("Heuristics.Limits.Exceeded"));
        assertNothingInErrorOrHeld();
    }

    private static byte[] zipBomb(int megabytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] zeros = new byte[1024 * 1024];
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            for (int i = 0; i < megabytes; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static byte[] nestedZip(int depth) throws Exception {
        byte[] content = "the bottom of the archive".getBytes(StandardCharsets.US_ASCII);
        String name = "bottom.txt";
        for (int level = 0; level < depth; level++) {
            content = zip(name, content);
            name = "level" + level + ".zip";
        }
        return content;
    }

    /** Nothing in error or held for a rescan (the unscannable hold is the hostile test's, counted there). */
    private void assertNothingInErrorOrHeld() {
        assertThat(clients.repositoryKeys("var/mail/error")).as("error repository").isEmpty();
        assertThat(clients.nothingHeldForARescan()).as("held for a rescan").isTrue();
    }

    private static String message(int i, String to, Random random) throws Exception {
        String subject = "load " + i + " " + kind(i);
        return switch (kind(i)) {
            case CLEAN -> TestSamples.plainMessage(SENDER, to, subject, text(random, 5 * 1024 + random.nextInt(95 * 1024)));
            case EICAR -> TestSamples.messageWithAttachment(SENDER, to, subject, "e.com", TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII));
            case GTUBE -> TestSamples.plainMessage(SENDER, to, subject, TestSamples.GTUBE);
            case LARGE -> TestSamples.messageWithAttachment(SENDER, to, subject, "big.bin", bytes(random, 1024 * 1024 + random.nextInt(1024 * 1024)));
            case ZIPPED_EICAR -> TestSamples.messageWithAttachment(SENDER, to, subject, "invoice.zip", zip("invoice.com",
                TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));
        };
    }

    private static String text(Random random, int size) {
        StringBuilder text = new StringBuilder();
        while (text.length() < size) {
            for (int c = 0; c < 76; c++) {
                text.append((char) ('a' + random.nextInt(26)));
            }
            text.append("\r\n");
        }
        return text.toString();
    }

    private static byte[] bytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] zip(String name, byte[] content) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static String headers(String to, String subject) {
        return "From: " + SENDER + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.replace(' ', '-') + "."
            + System.nanoTime() + "@outside.test>\r\nMIME-Version: 1.0\r\n";
    }

    private static String multipart(String to, String subject, String boundary, String body) {
        return headers(to, subject) + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n" + body;
    }

    private static String nested(String to, int depth) {
        StringBuilder message = new StringBuilder(headers(to, "deep nesting"));
        for (int level = 0; level < depth; level++) {
            message.append("Content-Type: message/rfc822\r\n\r\nSubject: level ").append(level).append("\r\n");
        }
        return message.append("Content-Type: text/plain\r\n\r\nthe bottom\r\n").toString();
    }

    private static String nestedEicar(String to, int depth) {
        StringBuilder message = new StringBuilder(headers(to, "eicar in hostile nesting"));
        for (int level = 0; level < depth; level++) {
            message.append("Content-Type: message/rfc822\r\n\r\nSubject: level ").append(level).append("\r\n");
        }
        return message.append("Content-Type: text/plain\r\n\r\n").append(TestSamples.EICAR).append("\r\n").toString();
    }

    private static String manyParts(String to, int parts) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            body.append("--many\r\nContent-Type: text/plain\r\n\r\npart ").append(i).append("\r\n");
        }
        return multipart(to, "many parts", "many", body.append("--many--\r\n").toString());
    }
}
