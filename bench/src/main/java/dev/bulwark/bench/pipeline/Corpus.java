package dev.bulwark.bench.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The benchmark's mail, generated from a fixed seed: the same bytes on every run and machine. Mostly clean
 * text messages of 5-100 KB (sizes log-uniform, so small mail dominates as in real traffic), some 1-5 MB
 * messages with a base64 attachment, and a few percent EICAR and GTUBE. The kinds are dealt in exact
 * proportions and shuffled with the seed.
 */
final class Corpus {
    static final long SEED = 20_261_201L;
    static final String SENDER = "sender@example.com";
    static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    private static final int KB = 1024;
    private static final int MB = 1024 * 1024;
    private static final String[] WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at which "
        + "but have an they you were her she there been one all we their has would when if so no what up out who them some "
        + "could more into time only other new about than then its our two first any these may over after should also "
        + "report meeting budget quarter invoice schedule project review delivery customer contract team update office "
        + "planning tomorrow week monday friday agenda minutes draft attached proposal figures numbers summary please thanks "
        + "regards shipment order account payment received confirm details question answer support release version").split(" ");

    /** Proportions in percent; the rest is clean. */
    record Mix(int largePercent, int eicarPercent, int gtubePercent) {
        static final Mix DEFAULT = new Mix(4, 3, 3);
    }

    private Corpus() {
    }

    /** {@code count} messages for {@code recipient}: the same list for the same count, mix and seed. */
    static List<CorpusMessage> generate(int count, Mix mix, String recipient, long seed) {
        List<MessageKind> kinds = new ArrayList<>();
        add(kinds, MessageKind.LARGE, count * mix.largePercent() / 100);
        add(kinds, MessageKind.EICAR, Math.max(1, count * mix.eicarPercent() / 100));
        add(kinds, MessageKind.GTUBE, Math.max(1, count * mix.gtubePercent() / 100));
        add(kinds, MessageKind.CLEAN, count - kinds.size());
        Collections.shuffle(kinds, new Random(seed));
        SplittableRandom random = new SplittableRandom(seed);
        List<CorpusMessage> messages = new ArrayList<>(count);
        int largeSeen = 0;
        for (int i = 0; i < count; i++) {
            MessageKind kind = kinds.get(i);
            String headers = "From: " + SENDER + "\r\nTo: " + recipient + "\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n";
            String body = switch (kind) {
                case CLEAN -> plain(text(random, logUniform(random, 5 * KB, 100 * KB)));
                // The first large message is always the 5 MB one, so that every run has it.
                case LARGE -> withAttachment(text(random, 2 * KB), "figures-" + i + ".csv",
                    text(random, largeSeen++ == 0 ? 5 * MB * 3 / 4 : logUniform(random, MB * 3 / 4, 5 * MB * 3 / 4)));
                case EICAR -> withAttachment(text(random, 3 * KB), "eicar-" + i + ".txt", EICAR);
                case GTUBE -> plain(text(random, 2 * KB) + "\r\n" + GTUBE + "\r\n");
            };
            messages.add(new CorpusMessage(i, kind, (headers + body).getBytes(StandardCharsets.US_ASCII)));
        }
        return messages;
    }

    /** {@code count} clean messages of 5 MB each (a base64 text attachment): the memory check's mail. */
    static List<CorpusMessage> fiveMegabyte(int count, String recipient, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<CorpusMessage> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String headers = "From: " + SENDER + "\r\nTo: " + recipient + "\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n";
            String body = withAttachment(text(random, 2 * KB), "figures-" + i + ".csv", text(random, 5 * MB * 3 / 4));
            messages.add(new CorpusMessage(i, MessageKind.LARGE, (headers + body).getBytes(StandardCharsets.US_ASCII)));
        }
        return messages;
    }

    private static void add(List<MessageKind> kinds, MessageKind kind, int n) {
        for (int i = 0; i < n; i++) {
            kinds.add(kind);
        }
    }

    private static int logUniform(SplittableRandom random, int min, int max) {
        return (int) Math.round(Math.exp(Math.log(min) + random.nextDouble() * (Math.log(max) - Math.log(min))));
    }

    private static String plain(String text) {
        return "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + text;
    }

    /** multipart/mixed: a short text part and {@code content} as a base64 attachment, as mail clients send files. */
    private static String withAttachment(String text, String fileName, String content) {
        String boundary = "bench-boundary-7d1f";
        String encoded = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(content.getBytes(StandardCharsets.US_ASCII));
        return "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n"
            + "--" + boundary + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text
            + "--" + boundary + "\r\nContent-Type: text/csv; name=\"" + fileName + "\"\r\n"
            + "Content-Disposition: attachment; filename=\"" + fileName + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + encoded + "\r\n--" + boundary + "--\r\n";
    }

    /** About {@code size} bytes of words in sentences, lines of at most 76 characters, CRLF, never starting with a dot. */
    private static String text(SplittableRandom random, int size) {
        StringBuilder text = new StringBuilder(size + 100);
        StringBuilder line = new StringBuilder(80);
        boolean sentenceStart = true;
        while (text.length() < size) {
            String word = WORDS[random.nextInt(WORDS.length)];
            if (sentenceStart) {
                word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
            }
            sentenceStart = random.nextInt(12) == 0;
            String token = sentenceStart ? word + "." : word;
            if (line.length() + 1 + token.length() > 76) {
                text.append(line).append("\r\n");
                line.setLength(0);
                if (random.nextInt(8) == 0) {
                    text.append("\r\n");
                }
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(token);
        }
        text.append(line).append("\r\n");
        return text.toString();
    }
}
