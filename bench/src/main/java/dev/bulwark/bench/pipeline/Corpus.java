package dev.bulwark.bench.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The benchmark's mail, generated from a fixed seed: the same bytes on every run and machine, shaped like real
 * traffic. Kinds, dealt in exact proportions and shuffled with the seed: clean text messages of 5-100 KB
 * (sizes log-uniform, so small mail dominates), 15 % clean with a 20-300 KB binary attachment, 4 % of 1-5 MB
 * (a base64 text attachment), 3 % EICAR (an attachment), 3 % GTUBE, and 20 % sends of a few campaigns (the
 * same newsletter body sent again and again, each time to other users). Recipients per message, also dealt in
 * exact proportions ({@link #RECIPIENT_SHARES}): 1 for most, 2-3 for a quarter, a tail of 4-10 and 11-50 (at
 * least one message has 50; 1-5 MB messages have at most 3). The tracked mailbox {@link JamesInstance#RECIPIENT} is always the last envelope
 * recipient: James delivers a mail's recipients one after the other, in envelope order, so a message seen
 * there has reached all of them.
 */
final class Corpus {
    static final long SEED = 20_261_201L;
    static final String SENDER = "sender@example.com";
    static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    /** Other users, besides the tracked one; a message to N recipients goes to N-1 of them and the tracked one. */
    static final int OTHER_USERS = 49;
    static final int MAX_RECIPIENTS = OTHER_USERS + 1;
    /** Recipient-count buckets, in percent of the messages: {min, max, percent}; the rest have one recipient. */
    static final int[][] RECIPIENT_SHARES = {{2, 3, 25}, {4, 10, 12}, {11, MAX_RECIPIENTS, 8}};
    /** The most recipients a 1-5 MB message has. */
    static final int LARGE_MAX_RECIPIENTS = 3;
    /** Sends per campaign: each campaign's body goes out this many times, in separate transactions. */
    static final int SENDS_PER_CAMPAIGN = 5;
    private static final int KB = 1024;
    private static final int MB = 1024 * 1024;
    private static final String[] WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at which "
        + "but have an they you were her she there been one all we their has would when if so no what up out who them some "
        + "could more into time only other new about than then its our two first any these may over after should also "
        + "report meeting budget quarter invoice schedule project review delivery customer contract team update office "
        + "planning tomorrow week monday friday agenda minutes draft attached proposal figures numbers summary please thanks "
        + "regards shipment order account payment received confirm details question answer support release version").split(" ");

    /** Proportions in percent; the rest is clean. */
    record Mix(int largePercent, int eicarPercent, int gtubePercent, int attachmentPercent, int campaignPercent) {
        static final Mix DEFAULT = new Mix(4, 3, 3, 15, 20);
    }

    /** What a slot of the corpus holds before its bytes are made: a kind, or a campaign send (clean). */
    private enum Slot { CLEAN, ATTACHMENT, LARGE, EICAR, GTUBE, CAMPAIGN }

    private Corpus() {
    }

    /** The user names a message can go to besides the tracked one: {@code user01@bulwark.test}... */
    static List<String> otherUsers() {
        List<String> users = new ArrayList<>(OTHER_USERS);
        for (int i = 1; i <= OTHER_USERS; i++) {
            users.add(String.format(java.util.Locale.ROOT, "user%02d@%s", i, JamesInstance.DOMAIN));
        }
        return users;
    }

    /** The recipient-count bucket a message falls in, for the report: "1", "2-3", "4-10", "11-50". */
    static String bucket(int recipients) {
        for (int[] share : RECIPIENT_SHARES) {
            if (recipients >= share[0] && recipients <= share[1]) {
                return share[0] + "-" + share[1];
            }
        }
        return "1";
    }

    static List<String> buckets() {
        List<String> buckets = new ArrayList<>(List.of("1"));
        for (int[] share : RECIPIENT_SHARES) {
            buckets.add(share[0] + "-" + share[1]);
        }
        return buckets;
    }

    /** {@code count} messages whose last recipient is {@code recipient}: the same list for the same count, mix and seed. */
    static List<CorpusMessage> generate(int count, Mix mix, String recipient, long seed) {
        List<Slot> slots = new ArrayList<>();
        add(slots, Slot.LARGE, count * mix.largePercent() / 100);
        add(slots, Slot.EICAR, Math.max(1, count * mix.eicarPercent() / 100));
        add(slots, Slot.GTUBE, Math.max(1, count * mix.gtubePercent() / 100));
        add(slots, Slot.ATTACHMENT, count * mix.attachmentPercent() / 100);
        add(slots, Slot.CAMPAIGN, count * mix.campaignPercent() / 100);
        add(slots, Slot.CLEAN, count - slots.size());
        Collections.shuffle(slots, new Random(seed));
        List<Integer> recipientCounts = new ArrayList<>(recipientCounts(count, seed));
        // Big mail to few: a 1-5 MB message keeps at most LARGE_MAX_RECIPIENTS, swapping counts with a plain clean
        // message (the shares stay exact). James's memory mailbox holds a copy per recipient in the benchmark's
        // heap: a 5 MB message to 50 users would be 250 MB of it.
        for (int i = 0; i < count; i++) {
            if (slots.get(i) == Slot.LARGE && recipientCounts.get(i) > LARGE_MAX_RECIPIENTS) {
                for (int j = 0; j < count; j++) {
                    if (slots.get(j) == Slot.CLEAN && recipientCounts.get(j) <= LARGE_MAX_RECIPIENTS) {
                        Collections.swap(recipientCounts, i, j);
                        break;
                    }
                }
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<String> others = otherUsers();
        int campaigns = Math.max(1, (int) slots.stream().filter(s -> s == Slot.CAMPAIGN).count() / SENDS_PER_CAMPAIGN);
        List<String> campaignBodies = new ArrayList<>();
        for (int c = 0; c < campaigns; c++) {
            campaignBodies.add(plain("Newsletter " + (c + 1) + ".\r\n\r\n" + text(random, logUniform(random, 8 * KB, 40 * KB))));
        }
        List<CorpusMessage> messages = new ArrayList<>(count);
        int largeSeen = 0;
        int campaignSends = 0;
        for (int i = 0; i < count; i++) {
            Slot slot = slots.get(i);
            List<String> recipients = pick(random, others, recipientCounts.get(i), recipient);
            int campaign = slot == Slot.CAMPAIGN ? campaignSends++ % campaigns : -1;
            // A campaign's sends are the same bytes: undisclosed recipients, as bulk senders write them.
            String to = campaign >= 0 ? "undisclosed-recipients:;" : String.join(",\r\n ", recipients);
            String headers = "From: " + (campaign >= 0 ? "news@example.com" : SENDER) + "\r\nTo: " + to
                + "\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n";
            MessageKind kind = switch (slot) {
                case CLEAN, CAMPAIGN -> MessageKind.CLEAN;
                case ATTACHMENT -> MessageKind.ATTACHMENT;
                case LARGE -> MessageKind.LARGE;
                case EICAR -> MessageKind.EICAR;
                case GTUBE -> MessageKind.GTUBE;
            };
            String body = switch (slot) {
                case CLEAN -> plain(text(random, logUniform(random, 5 * KB, 100 * KB)));
                case CAMPAIGN -> campaignBodies.get(campaign);
                case ATTACHMENT -> withAttachment(text(random, logUniform(random, 2 * KB, 20 * KB)), "application/octet-stream",
                    "data-" + i + ".bin", randomBytes(random, logUniform(random, 20 * KB, 300 * KB)));
                // The first large message is always the 5 MB one, so that every run has it.
                case LARGE -> withAttachment(text(random, 2 * KB), "text/csv", "figures-" + i + ".csv",
                    ascii(text(random, largeSeen++ == 0 ? 5 * MB * 3 / 4 : logUniform(random, MB * 3 / 4, 5 * MB * 3 / 4))));
                case EICAR -> withAttachment(text(random, 3 * KB), "text/plain", "eicar-" + i + ".txt", ascii(EICAR));
                case GTUBE -> plain(text(random, 2 * KB) + "\r\n" + GTUBE + "\r\n");
            };
            messages.add(new CorpusMessage(i, kind, recipients, campaign, (headers + body).getBytes(StandardCharsets.US_ASCII)));
        }
        return messages;
    }

    /**
     * Recipients per message in exact proportions, shuffled: {@link #RECIPIENT_SHARES}, uniform within 2-3 and
     * 4-10, log-uniform within 11-50 (so the tail thins out), and one message with the most when the 11-50
     * bucket has any.
     */
    private static List<Integer> recipientCounts(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed + 7);
        List<Integer> counts = new ArrayList<>(count);
        for (int[] share : RECIPIENT_SHARES) {
            int n = count * share[2] / 100;
            for (int i = 0; i < n; i++) {
                boolean tail = share[1] == MAX_RECIPIENTS;
                counts.add(tail && i == 0 ? MAX_RECIPIENTS : tail ? logUniform(random, share[0], share[1]) : share[0] + random.nextInt(share[1] - share[0] + 1));
            }
        }
        while (counts.size() < count) {
            counts.add(1);
        }
        Collections.shuffle(counts, new Random(seed + 11));
        return counts;
    }

    /** {@code n - 1} distinct other users in random order, then the tracked recipient. */
    private static List<String> pick(SplittableRandom random, List<String> others, int n, String tracked) {
        List<String> pool = new ArrayList<>(others);
        List<String> picked = new ArrayList<>(n);
        for (int i = 0; i < n - 1; i++) {
            picked.add(pool.remove(random.nextInt(pool.size())));
        }
        picked.add(tracked);
        return List.copyOf(picked);
    }

    /** {@code count} clean messages of 5 MB each (a base64 text attachment), to the tracked recipient only: the memory check's mail. */
    static List<CorpusMessage> fiveMegabyte(int count, String recipient, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<CorpusMessage> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String headers = "From: " + SENDER + "\r\nTo: " + recipient + "\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n";
            String body = withAttachment(text(random, 2 * KB), "text/csv", "figures-" + i + ".csv", ascii(text(random, 5 * MB * 3 / 4)));
            messages.add(new CorpusMessage(i, MessageKind.LARGE, List.of(recipient), -1, (headers + body).getBytes(StandardCharsets.US_ASCII)));
        }
        return messages;
    }

    private static void add(List<Slot> kinds, Slot kind, int n) {
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

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] randomBytes(SplittableRandom random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /** multipart/mixed: a short text part and {@code content} as a base64 attachment, as mail clients send files. */
    private static String withAttachment(String text, String contentType, String fileName, byte[] content) {
        String boundary = "bench-boundary-7d1f";
        String encoded = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(content);
        return "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n"
            + "--" + boundary + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text
            + "--" + boundary + "\r\nContent-Type: " + contentType + "; name=\"" + fileName + "\"\r\n"
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
