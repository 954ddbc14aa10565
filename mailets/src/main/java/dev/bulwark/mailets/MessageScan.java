package dev.bulwark.mailets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;

/**
 * One message's virus scan, and how it was done. A message within the scanner's stream limit
 * ({@code clamd.maxStreamSize}) is one clamd stream, read by clamd's own MIME parser. A larger one is
 * scanned part by part: each leaf, decoded, as its own stream (an archive is a leaf, which clamd opens),
 * and the rest (header fields, multipart preambles and epilogues) as one more. Only a part that is itself
 * over the limit leaves the mail unscannable.
 *
 * <p>The verdict of a scan by parts: INFECTED as soon as one part is (the others are not scanned);
 * otherwise ERROR when a part got no verdict (the mail is held and rescanned later); otherwise
 * UNSCANNABLE when a part is over the limit, naming it and anything suspicious found elsewhere;
 * otherwise SUSPICIOUS when a part is; otherwise CLEAN.
 *
 * @param parts the clamd streams the verdict rests on: 1 for a whole scan; for a scan by parts, the
 *              streams scanned (parts over the limit are not counted)
 */
public record MessageScan(ScanVerdict verdict, Mode mode, int parts) {
    private static final Logger LOGGER = LoggerFactory.getLogger(MessageScan.class);

    /** How the message was given to the scanner. */
    public enum Mode {
        /** The whole message as one stream. */
        WHOLE,
        /** Each part as its own stream: the message is over the scanner's stream limit. */
        PARTS;

        /** The name in attributes, events and docs: {@code whole}, {@code parts}. */
        public String asString() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Mode> parse(String value) {
            return java.util.Arrays.stream(values()).filter(mode -> mode.asString().equals(value)).findFirst();
        }
    }

    /** Scans a James mail: whole when it fits the scanner's stream limit, by parts otherwise. */
    public static MessageScan of(VirusScanner scanner, Mail mail) {
        long size;
        try {
            size = mail.getMessageSize();
        } catch (MessagingException e) {
            size = -1; // unknown: sent whole, and the scanner refuses what is too large
        }
        return of(scanner, MailContent.of(mail), () -> {
            try {
                return new MimeMessageInputStream(mail.getMessage());
            } catch (MessagingException e) {
                throw new IOException("cannot read message " + mail.getName() + ": " + e.getMessage(), e);
            }
        }, size);
    }

    /** Opens a message's raw bytes (header and body) from its start, as often as asked. */
    @FunctionalInterface
    public interface RawBytes {
        InputStream open() throws IOException;
    }

    /**
     * Scans a message that is no James mail (one in a mailbox) as a James mail is scanned: whole when it fits
     * the scanner's stream limit, by parts otherwise. The message is read from {@code message} as often as
     * the scan needs, never held in memory.
     *
     * @param size the message's size in bytes (negative when unknown: sent whole, the scanner refuses what is too large)
     */
    public static MessageScan of(VirusScanner scanner, RawBytes message, long size) {
        return of(scanner, out -> {
            try (InputStream in = message.open()) {
                in.transferTo(out);
            }
        }, message::open, size);
    }

    static MessageScan of(VirusScanner scanner, MessageContent whole, MimeParts.RawMessage raw, long size) {
        if (size <= scanner.maxStreamSize()) {
            return new MessageScan(scanner.scan(whole, size), Mode.WHOLE, 1);
        }
        return byParts(scanner, raw, size);
    }

    /** No verdict: ERROR (try again later) or UNSCANNABLE (a part too large). */
    public boolean hasVerdict() {
        return verdict.status() != ScanVerdict.Status.ERROR && verdict.status() != ScanVerdict.Status.UNSCANNABLE;
    }

    /**
     * Records this scan on a mail that goes back to the pipeline (held mail rescanned), so that
     * VirusScan takes it as the mail's verdict instead of scanning the same bytes again.
     *
     * @param stage who scanned it, for the {@code verdict.reused} event
     */
    public void recordForReuse(Mail mail, String stage) {
        VirusScan.record(mail, this);
        ReusableVerdicts.mark(mail, ReusableVerdicts.VIRUS, stage);
    }

    /** Records this scan's verdict, mode and parts on a mail as VirusScan does (a mailbox message kept in the quarantine). */
    public void recordOn(Mail mail) {
        VirusScan.record(mail, this);
    }

    /** How the scan was done, for the header: empty for a whole scan, which is what everyone expects. */
    Optional<String> description() {
        return mode == Mode.WHOLE ? Optional.empty() : Optional.of(parts + " part" + (parts == 1 ? "" : "s") + " scanned one by one");
    }

    private static MessageScan byParts(VirusScanner scanner, MimeParts.RawMessage raw, long size) {
        long limit = scanner.maxStreamSize();
        MimeParts.Layout layout;
        try {
            layout = MimeParts.measure(raw);
        } catch (MimeParts.UnsplittableException e) {
            return new MessageScan(ScanVerdict.unscannable("message of " + size + " bytes is over clamd's stream limit of " + limit
                + " bytes and cannot be scanned by parts: " + e.getMessage(), null), Mode.PARTS, 0);
        } catch (IOException e) {
            return new MessageScan(ScanVerdict.error("could not read the message: " + e.getMessage(), null), Mode.PARTS, 0);
        }
        Tally tally = new Tally(limit);
        if (layout.restSize() > limit) {
            tally.tooLarge.add("its header fields and the text around its parts (" + layout.restSize() + " bytes)");
        } else {
            tally.add(scanner.scan(out -> MimeParts.writeRest(raw, out), layout.restSize()), "header fields and text around the parts");
        }
        layout.leaves().stream().filter(leaf -> leaf.size() > limit).forEach(leaf -> tally.tooLarge.add(leaf.describe()));
        if (!tally.decided()) {
            try {
                MimeParts.forEachLeaf(raw, layout.leaves(), (leaf, decoded) -> {
                    if (leaf.size() <= limit) {
                        tally.add(scanner.scan(new LeafContent(raw, leaf, decoded), leaf.size()), leaf.describe());
                    }
                    return !tally.decided();
                });
            } catch (MimeParts.UnsplittableException | IOException e) {
                tally.add(ScanVerdict.error("could not read the message's parts: " + e.getMessage(), null), "the parts");
            }
        }
        MessageScan scan = new MessageScan(tally.verdict(size), Mode.PARTS, tally.scanned);
        LOGGER.debug("Scanned a message of {} bytes by parts ({} leaves): {}", size, layout.leaves().size(), scan);
        return scan;
    }

    /** The verdicts of the parts so far. */
    private static final class Tally {
        final long limit;
        final List<String> tooLarge = new ArrayList<>();
        final Set<String> suspicious = new LinkedHashSet<>();
        ScanVerdict infected;
        ScanVerdict error;
        ScanVerdict lastAnswer;
        int scanned;

        Tally(long limit) {
            this.limit = limit;
        }

        void add(ScanVerdict verdict, String what) {
            switch (verdict.status()) {
                case INFECTED -> infected = verdict;
                case ERROR -> error = ScanVerdict.error(what + ": " + verdict.reason().orElse("no verdict"), verdict.endpoint().orElse(null));
                case UNSCANNABLE -> tooLarge.add(what + ": " + verdict.reason().orElse("too large"));
                case SUSPICIOUS -> {
                    suspicious.addAll(verdict.names());
                    lastAnswer = verdict;
                }
                case CLEAN -> lastAnswer = verdict;
            }
            if (verdict.status() != ScanVerdict.Status.ERROR && verdict.status() != ScanVerdict.Status.UNSCANNABLE) {
                scanned++;
            }
        }

        /** Nothing later can change the verdict: a part is infected, or one got no verdict (the mail is scanned again later). */
        boolean decided() {
            return infected != null || error != null;
        }

        ScanVerdict verdict(long size) {
            if (infected != null) {
                return infected;
            }
            if (error != null) {
                return error;
            }
            if (!tooLarge.isEmpty()) {
                return ScanVerdict.unscannable("message of " + size + " bytes scanned by parts, but " + String.join("; ", tooLarge)
                    + (tooLarge.size() == 1 ? " is" : " are") + " over clamd's stream limit of " + limit + " bytes"
                    + (suspicious.isEmpty() ? "" : "; other parts are suspicious: " + String.join(", ", suspicious)), null);
            }
            if (!suspicious.isEmpty()) {
                return withEngineOf(ScanVerdict.suspicious(List.copyOf(suspicious), lastAnswer.endpoint().orElse(null)), lastAnswer);
            }
            return lastAnswer;
        }

        private static ScanVerdict withEngineOf(ScanVerdict verdict, ScanVerdict source) {
            return source.engine().map(verdict::withEngine).orElse(verdict);
        }
    }

    /**
     * A leaf's decoded content: the first write streams it from the walk in progress; a second (the pool
     * tries another clamd when one died mid-scan) reads the message again up to this leaf. Never more
     * than the leaf's measured size is sent.
     */
    private static final class LeafContent implements MessageContent {
        private final MimeParts.RawMessage raw;
        private final MimeParts.Leaf leaf;
        private InputStream live;

        LeafContent(MimeParts.RawMessage raw, MimeParts.Leaf leaf, InputStream live) {
            this.raw = raw;
            this.leaf = leaf;
            this.live = live;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            OutputStream bounded = new BoundedOutputStream(out, leaf.size());
            if (live != null) {
                InputStream stream = live;
                live = null;
                stream.transferTo(bounded);
            } else {
                MimeParts.writeLeaf(raw, leaf.index(), bounded);
            }
        }
    }

    /** Refuses to pass more than the measured size: the message changed between readings. */
    private static final class BoundedOutputStream extends java.io.FilterOutputStream {
        private final long max;
        private long written;

        BoundedOutputStream(OutputStream out, long max) {
            super(out);
            this.max = max;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            out.write(b, off, len);
        }

        private void count(int more) throws IOException {
            written += more;
            if (written > max) {
                throw new IOException("a part grew beyond its measured " + max + " bytes");
            }
        }
    }
}
