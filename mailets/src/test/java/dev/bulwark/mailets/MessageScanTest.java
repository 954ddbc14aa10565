package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;

/** Scanning by parts with a scanner that records every stream it is given and has a small stream limit. */
class MessageScanTest {
    private static final Endpoint CLAMD = new Endpoint("127.0.0.1", 3310);
    private static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    private static final int LIMIT = 4096;

    /** Judges each stream: infected when it holds the EICAR string, clean otherwise. */
    private static final class RecordingScanner implements VirusScanner {
        final List<String> streams = new ArrayList<>();
        final int writesPerScan;
        Function<String, ScanVerdict> judge = stream -> stream.contains(EICAR)
            ? ScanVerdict.infected(List.of("Eicar-Test"), CLAMD) : ScanVerdict.clean(CLAMD).withEngine("ClamAV 1.4.6");

        RecordingScanner(int writesPerScan) {
            this.writesPerScan = writesPerScan;
        }

        @Override
        public ScanVerdict scan(MessageContent content) {
            return scan(content, -1);
        }

        @Override
        public ScanVerdict scan(MessageContent content, long size) {
            if (size > LIMIT) {
                return ScanVerdict.unscannable("over the limit", null);
            }
            String stream = null;
            try {
                for (int i = 0; i < writesPerScan; i++) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    content.writeTo(out);
                    String written = out.toString(StandardCharsets.ISO_8859_1);
                    assertThat(stream == null || stream.equals(written)).as("a second write gives the same bytes").isTrue();
                    stream = written;
                }
            } catch (IOException e) {
                return ScanVerdict.error("could not read the message: " + e.getMessage(), CLAMD);
            }
            assertThat((long) stream.length()).as("the size announced is the size written").isEqualTo(size < 0 ? stream.length() : size);
            streams.add(stream);
            return judge.apply(stream);
        }

        @Override
        public long maxStreamSize() {
            return LIMIT;
        }
    }

    private static Mail mail(String raw) throws Exception {
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        MimeMessage message = new MimeMessage(Session.getDefaultInstance(new Properties()), new ByteArrayInputStream(bytes));
        return FakeMail.builder().name("big").mimeMessage(message).size(bytes.length).recipient("bob@example.com").build();
    }

    private static String multipart(String... parts) {
        StringBuilder message = new StringBuilder("From: a@example.com\r\nTo: bob@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\nThis is the preamble.\r\n");
        for (String part : parts) {
            message.append("--b1\r\n").append(part);
        }
        return message.append("--b1--\r\nThe epilogue.\r\n").toString();
    }

    private static String text(String body) {
        return "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + body + "\r\n";
    }

    private static String attachment(String name, byte[] content) {
        return "Content-Type: application/octet-stream; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" + name
            + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(content) + "\r\n";
    }

    private static byte[] bytes(int size, char fill) {
        byte[] bytes = new byte[size];
        java.util.Arrays.fill(bytes, (byte) fill);
        return bytes;
    }

    @Test
    void mailWithinTheLimitIsOneStream() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        String raw = multipart(text("hello"), attachment("small.bin", bytes(100, 'x')));
        MessageScan scan = MessageScan.of(scanner, mail(raw));

        assertThat(scan.mode()).isEqualTo(MessageScan.Mode.WHOLE);
        assertThat(scan.parts()).isEqualTo(1);
        assertThat(scan.verdict().isClean()).isTrue();
        assertThat(scanner.streams).singleElement().asString().contains("Subject: big", "--b1--");
        assertThat(scan.description()).isEmpty();
    }

    @Test
    void mailOverTheLimitIsScannedPartByPartDecoded() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        // 3,000 bytes decoded, about 4,100 encoded: the attachment fits, the mail does not.
        byte[] attachment = bytes(3000, 'a');
        String raw = multipart(text("hello"), attachment("big.bin", attachment));
        assertThat(raw.length()).isGreaterThan(LIMIT);

        MessageScan scan = MessageScan.of(scanner, mail(raw));

        assertThat(scan.mode()).isEqualTo(MessageScan.Mode.PARTS);
        assertThat(scan.verdict().status()).isEqualTo(ScanVerdict.Status.CLEAN);
        assertThat(scan.verdict().engine()).contains("ClamAV 1.4.6");
        assertThat(scan.parts()).isEqualTo(3);
        assertThat(scanner.streams).hasSize(3);
        assertThat(scanner.streams.get(0)).as("the rest: header fields, preamble, epilogue")
            .contains("Subject: big\r\n", "This is the preamble.", "The epilogue.", "filename=\"big.bin\"").doesNotContain("hello", "YWFh");
        assertThat(scanner.streams.get(1)).isEqualTo("hello");
        assertThat(scanner.streams.get(2)).as("decoded, not base64").isEqualTo(new String(attachment, StandardCharsets.ISO_8859_1));
        assertThat(scan.description()).contains("3 parts scanned one by one");
    }

    @Test
    void eicarInASmallPartOfABigMailIsFound() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        String raw = multipart(attachment("big.bin", bytes(3000, 'a')), attachment("x.com", EICAR.getBytes(StandardCharsets.US_ASCII)),
            text("never scanned: the verdict is already given"));

        MessageScan scan = MessageScan.of(scanner, mail(raw));

        assertThat(scan.verdict().status()).isEqualTo(ScanVerdict.Status.INFECTED);
        assertThat(scan.verdict().names()).containsExactly("Eicar-Test");
        assertThat(scanner.streams).hasSize(3).last().isEqualTo(EICAR);
    }

    @Test
    void aPartOverTheLimitMakesTheMailUnscannableAndIsNamed() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        String raw = multipart(text("hello"), attachment("huge.iso", bytes(LIMIT + 1, 'h')));

        MessageScan scan = MessageScan.of(scanner, mail(raw));

        assertThat(scan.verdict().status()).isEqualTo(ScanVerdict.Status.UNSCANNABLE);
        assertThat(scan.verdict().reason()).hasValueSatisfying(reason -> assertThat(reason)
            .contains("part 2 (application/octet-stream \"huge.iso\", " + (LIMIT + 1) + " bytes) is over clamd's stream limit of " + LIMIT));
        assertThat(scanner.streams).as("the rest and the text are still scanned").hasSize(2)
            .noneMatch(stream -> stream.contains("hhhh"));
    }

    @Test
    void anInfectedPartWinsOverAPartTooLarge() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        String raw = multipart(attachment("huge.iso", bytes(LIMIT + 1, 'h')), attachment("x.com", EICAR.getBytes(StandardCharsets.US_ASCII)));

        assertThat(MessageScan.of(scanner, mail(raw)).verdict().status()).isEqualTo(ScanVerdict.Status.INFECTED);
    }

    @Test
    void aSinglePartMessageFitsWhenItsDecodedBodyDoes() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        byte[] body = bytes(3500, 'z');
        String raw = "From: a@example.com\r\nSubject: one part\r\nMIME-Version: 1.0\r\nContent-Type: application/pdf\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(body) + "\r\n";
        assertThat(raw.length()).isGreaterThan(LIMIT);

        MessageScan scan = MessageScan.of(scanner, mail(raw));

        assertThat(scan.verdict().isClean()).isTrue();
        assertThat(scanner.streams).hasSize(2).last().isEqualTo(new String(body, StandardCharsets.ISO_8859_1));
    }

    @Test
    void attachedMessagesAreOpened() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        String inner = "Subject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b2\"\r\n\r\n--b2\r\n"
            + attachment("x.com", EICAR.getBytes(StandardCharsets.US_ASCII)) + "--b2--\r\n";
        String raw = multipart(attachment("big.bin", bytes(3000, 'a')), "Content-Type: message/rfc822\r\n\r\n" + inner);

        MessageScan scan = MessageScan.of(scanner, mail(raw));

        assertThat(scan.verdict().status()).isEqualTo(ScanVerdict.Status.INFECTED);
        assertThat(scanner.streams).last().isEqualTo(EICAR);
    }

    @Test
    void aSecondWriteOfAPartReadsTheMessageAgainAndGivesTheSameBytes() throws Exception {
        RecordingScanner scanner = new RecordingScanner(2);
        String raw = multipart(text("hello"), attachment("big.bin", bytes(3000, 'a')), attachment("x.com", EICAR.getBytes(StandardCharsets.US_ASCII)));

        MessageScan scan = MessageScan.of(scanner, mail(raw));

        assertThat(scan.verdict().status()).isEqualTo(ScanVerdict.Status.INFECTED);
        assertThat(scanner.streams).hasSize(4).contains("hello", EICAR);
    }

    @Test
    void aPartWithoutVerdictStopsTheScanWithAnError() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        scanner.judge = stream -> stream.equals("hello") ? ScanVerdict.error("clamd unreachable", CLAMD) : ScanVerdict.clean(CLAMD);
        String raw = multipart(text("hello"), attachment("big.bin", bytes(3000, 'a')));

        MessageScan scan = MessageScan.of(scanner, mail(raw));

        assertThat(scan.verdict().status()).isEqualTo(ScanVerdict.Status.ERROR);
        assertThat(scan.verdict().reason()).hasValueSatisfying(reason -> assertThat(reason).contains("part 1", "clamd unreachable"));
        assertThat(scanner.streams).hasSize(2);
    }

    @Test
    void suspiciousPartsAreNamedWhenAnotherIsTooLarge() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        scanner.judge = stream -> stream.equals("hello") ? ScanVerdict.suspicious(List.of("Heuristics.Phishing"), CLAMD) : ScanVerdict.clean(CLAMD);
        String raw = multipart(text("hello"), attachment("huge.iso", bytes(LIMIT + 1, 'h')));
        MessageScan scan = MessageScan.of(scanner, mail(raw));
        assertThat(scan.verdict().status()).isEqualTo(ScanVerdict.Status.UNSCANNABLE);
        assertThat(scan.verdict().reason()).hasValueSatisfying(reason -> assertThat(reason).endsWith("other parts are suspicious: Heuristics.Phishing"));

        String fits = multipart(text("hello"), attachment("big.bin", bytes(3000, 'a')));
        MessageScan suspicious = MessageScan.of(scanner, mail(fits));
        assertThat(suspicious.verdict().status()).isEqualTo(ScanVerdict.Status.SUSPICIOUS);
        assertThat(suspicious.verdict().names()).containsExactly("Heuristics.Phishing");
    }

    @Test
    void hostileStructureIsUnscannableNotAnException() throws Exception {
        RecordingScanner scanner = new RecordingScanner(1);
        StringBuilder deep = new StringBuilder("Subject: deep\r\nMIME-Version: 1.0\r\n");
        for (int level = 0; level < MimeParts.MAX_DEPTH + 5; level++) {
            deep.append("Content-Type: message/rfc822\r\n\r\nSubject: level ").append(level).append("\r\n");
        }
        deep.append("Content-Type: text/plain\r\n\r\n").append("x".repeat(LIMIT)).append("\r\n");

        MessageScan scan = MessageScan.of(scanner, mail(deep.toString()));

        assertThat(scan.verdict().status()).isEqualTo(ScanVerdict.Status.UNSCANNABLE);
        assertThat(scan.verdict().reason()).hasValueSatisfying(reason -> assertThat(reason).contains("nested more than 32 deep"));
        assertThat(scanner.streams).isEmpty();

        StringBuilder many = new StringBuilder();
        for (int i = 0; i < MimeParts.MAX_LEAVES + 1; i++) {
            many.append("--b1\r\nContent-Type: text/plain\r\n\r\npart ").append(i).append("\r\n");
        }
        String manyParts = "Subject: many\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" + many + "--b1--\r\n";
        assertThat(MessageScan.of(scanner, mail(manyParts)).verdict().reason())
            .hasValueSatisfying(reason -> assertThat(reason).contains("more than 500 parts"));
    }

    @Test
    void virusScanRecordsHowTheMailWasScanned() throws Exception {
        Mail mail = mail(multipart(text("hello"), attachment("big.bin", bytes(3000, 'a'))));
        RecordedEvents events = new RecordedEvents();
        VirusScan mailet = new VirusScan(new RecordingScanner(1), events, new dev.bulwark.mailets.stamp.ScanStamp(new byte[32]));
        mailet.init(org.apache.mailet.base.test.FakeMailetConfig.builder().mailetName("VirusScan").build());

        mailet.service(mail);

        assertThat(mail.getAttribute(dev.bulwark.matchers.BulwarkAttributes.VIRUS_SCAN_MODE)).map(a -> (Object) a.getValue().value()).contains("parts");
        assertThat(mail.getAttribute(dev.bulwark.matchers.BulwarkAttributes.VIRUS_SCANNED_PARTS)).map(a -> (Object) a.getValue().value()).contains(3);
        assertThat(VirusScanTest.header(mail)).containsExactly("clean (ClamAV 1.4.6 at 127.0.0.1:3310, 3 parts scanned one by one)");
        assertThat(events.all()).singleElement().satisfies(event -> assertThat(event.details())
            .containsEntry("scanMode", "parts").containsEntry("scannedParts", "3"));
    }
}
