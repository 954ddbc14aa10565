package dev.bulwark.matchers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.ContentDisposition;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;
import javax.mail.util.SharedByteArrayInputStream;

import org.apache.tika.Tika;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds banned attachments in a MIME tree: by name (extension, double extension, names dressed up with
 * trailing dots, spaces or bidirectional controls such as the right-to-left override; the
 * Content-Disposition file name and the Content-Type name both count), by the type detected from the
 * bytes (Apache Tika's magic numbers: an executable named photo.jpg), inside zip archives (entries,
 * nested zips) and encrypted archives.
 *
 * <p>Bounded: MIME depth and parts, archive nesting, entries, and the bytes inflated per mail; skipping
 * an archive entry never inflates it. A part that cannot be decoded is skipped (debug log), never a
 * failure. What could not be inspected (an archive that cannot be read, is over a limit, or is in a
 * format other than zip) is reported apart, and banned only when the policy says {@code unreadable:true}.
 *
 * <p>Thread-safe; also usable for one attachment on its own: {@code inspector.inspect(bodyPart)}.
 */
public final class AttachmentInspector {
    static final int MAX_DEPTH = 32;
    /** Messages attached as files opened per mail: each is held whole while its parts are inspected. */
    static final int MAX_ATTACHED_MESSAGES = 8;
    static final int MAX_PARTS = 2000;
    static final int MAX_ARCHIVE_DEPTH = 4;
    static final int MAX_ENTRIES = 1000;
    static final int MAX_ENTRIES_PER_MAIL = 10_000;
    static final int SNIFF_BYTES = 8192;
    static final int MAX_ARCHIVE_BYTES = 50 * 1024 * 1024;
    /** Ordinary files compress at most a few tens to one; zeros (a bomb's payload) about a thousand to one. */
    static final long BOMB_RATIO = 100;
    private static final Logger LOGGER = LoggerFactory.getLogger(AttachmentInspector.class);
    private static final Tika TIKA = new Tika();
    private static final MediaTypeRegistry TYPES = MimeTypes.getDefaultMimeTypes().getMediaTypeRegistry();
    /** Archive formats Tika recognises that are not opened here (zip is): their content is not inspected. */
    private static final Set<String> OTHER_ARCHIVES = Set.of("application/x-rar-compressed", "application/x-7z-compressed",
        "application/gzip", "application/x-bzip", "application/x-bzip2", "application/x-xz", "application/x-tar",
        "application/vnd.ms-cab-compressed", "application/x-iso9660-image", "application/x-apple-diskimage",
        "application/x-ace-compressed", "application/x-arj", "application/x-lha", "application/x-lharc", "application/x-lzip",
        "application/x-lzma", "application/zstd", "application/x-compress", "application/x-cpio", "application/x-vhd");
    private static final String CONTROLS = "[\\p{Cf}\\p{Cntrl}]";

    /**
     * What an inspection found.
     *
     * @param banned      why the parts are banned, one reason per finding; empty when nothing is
     * @param uninspected what could not be inspected and was not banned for it (policy {@code unreadable:false})
     */
    public record Report(List<String> banned, List<String> uninspected) {
        public Report {
            banned = List.copyOf(banned);
            uninspected = List.copyOf(uninspected);
        }

        public boolean isBanned() {
            return !banned.isEmpty();
        }
    }

    private final AttachmentPolicy policy;

    public AttachmentInspector(AttachmentPolicy policy) {
        this.policy = policy;
    }

    /** Why the part (a whole message, or one attachment) is banned under the policy; empty when it is not. */
    public static List<String> bannedReasons(Part part, AttachmentPolicy policy) {
        return new AttachmentInspector(policy).inspect(part);
    }

    /** Why the part tree is banned: one reason per finding; empty when nothing is. */
    public List<String> inspect(Part part) {
        return report(part).banned();
    }

    /** What is banned in the part tree, and what could not be inspected. */
    public Report report(Part part) {
        Inspection inspection = new Inspection();
        inspection.walk(part, 0);
        return new Report(inspection.banned, inspection.uninspected);
    }

    /**
     * Why a file name is banned: a banned extension, also behind a harmless one ({@code invoice.pdf.exe}),
     * upper case, trailing dots and spaces, bidirectional or other invisible controls, a NUL cutting it short.
     */
    public Optional<String> bannedName(String raw) {
        int nul = raw.indexOf('\0');
        if (nul >= 0) {
            // what a C-string reader sees of it
            Optional<String> cut = bannedName(raw.substring(0, nul));
            if (cut.isPresent()) {
                return Optional.of(printable(raw) + cut.get().substring(cut.get().lastIndexOf(": ")));
            }
        }
        String name = normalise(raw);
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        String[] pieces = name.substring(slash + 1).split("\\.");
        if (pieces.length < 2) {
            return Optional.empty();
        }
        String extension = pieces[pieces.length - 1].strip();
        if (!policy.extensions().contains(extension)) {
            return Optional.empty();
        }
        String inner = pieces.length >= 3 ? pieces[pieces.length - 2].strip() : "";
        if (!pieces[0].isBlank() && inner.matches("[a-z0-9]{0,4}[a-z][a-z0-9]{0,4}")) {
            return Optional.of(printable(raw) + ": double extension ." + inner + "." + extension);
        }
        return Optional.of(printable(raw) + ": banned extension ." + extension);
    }

    /** Lower case, without invisible and bidirectional controls and the trailing dots and spaces that hide the real extension. */
    static String normalise(String name) {
        return name.replaceAll(CONTROLS, "").toLowerCase(Locale.ROOT).replaceAll("[.\\s]+$", "").strip();
    }

    private static String printable(String name) {
        String shown = name.replaceAll(CONTROLS, "?");
        return shown.length() > 120 ? shown.substring(0, 120) + "..." : shown;
    }

    /** The state of one inspection: findings and what is left of the limits. */
    private final class Inspection {
        private final List<String> banned = new ArrayList<>();
        private final List<String> uninspected = new ArrayList<>();
        private final Set<String> limitsHit = new LinkedHashSet<>();
        private int parts;
        private int entries;
        private long inflated;
        private int attachedMessages;

        private void ban(String reason) {
            if (!banned.contains(reason)) {
                banned.add(reason);
            }
        }

        private void notInspected(String what) {
            if (policy.unreadable()) {
                ban(what);
            } else if (!uninspected.contains(what)) {
                uninspected.add(what);
            }
        }

        private void limit(String what) {
            if (limitsHit.add(what)) {
                notInspected(what);
            }
        }

        private void walk(Part part, int depth) {
            if (depth > MAX_DEPTH) {
                limit("MIME parts nested deeper than " + MAX_DEPTH + " not inspected");
                return;
            }
            if (++parts > MAX_PARTS) {
                limit("MIME parts after the first " + MAX_PARTS + " not inspected");
                return;
            }
            try {
                Set<String> names = fileNames(part);
                names.forEach(name -> bannedName(name).ifPresent(this::ban));
                if (part.isMimeType("multipart/*")) {
                    if (part.getContent() instanceof Multipart multipart) {
                        for (int i = 0; i < multipart.getCount(); i++) {
                            BodyPart child = multipart.getBodyPart(i);
                            walk(child, depth + 1);
                        }
                    }
                    return;
                }
                if (part.isMimeType("message/rfc822")) {
                    if (part.getContent() instanceof Part nested) {
                        walk(nested, depth + 1);
                    }
                    return;
                }
                if (names.isEmpty() && part.getDisposition() == null && part.isMimeType("text/*")) {
                    return; // a message body
                }
                inspectContent(part, names.isEmpty() ? "unnamed attachment" : names.iterator().next(), names, depth);
            } catch (MessagingException | IOException | RuntimeException e) {
                LOGGER.debug("Part skipped by the attachment check: {}", e.toString());
            }
        }

        private void inspectContent(Part part, String label, Set<String> names, int depth) throws MessagingException, IOException {
            byte[] head;
            try (InputStream in = part.getInputStream()) {
                head = readUpTo(in, SNIFF_BYTES);
            }
            MediaType detected = detect(head);
            bannedType(detected).ifPresent(type -> ban(label + ": content is " + type));
            boolean zip = isZip(head, detected);
            if (!zip && (detected.getBaseType().toString().equals("message/rfc822")
                    || names.stream().anyMatch(name -> normalise(name).endsWith(".eml")))) {
                // a message attached as a file (forward.eml): mail clients open it and show its attachments
                if (++attachedMessages > MAX_ATTACHED_MESSAGES) {
                    limit("attached messages after the first " + MAX_ATTACHED_MESSAGES + " not inspected");
                    return;
                }
                // its bytes count against the mail's inspection budget, as inflated archives do
                long room = budget();
                byte[] message;
                try (InputStream in = part.getInputStream()) {
                    message = readUpTo(in, (int) Math.min(room + 1, MAX_ARCHIVE_BYTES + 1L));
                }
                if (message.length > room) {
                    notInspected(label + ": attached message over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit not inspected");
                } else {
                    inflated += message.length;
                    // SharedByteArrayInputStream: the parsed parts share these bytes instead of copying them
                    walk(new MimeMessage((Session) null, new SharedByteArrayInputStream(message)), depth + 1);
                }
                return;
            }
            if (!policy.archives()) {
                return;
            }
            if (isZip(head, detected) || names.stream().anyMatch(name -> normalise(name).endsWith(".zip"))) {
                byte[] archive;
                try (InputStream in = part.getInputStream()) {
                    archive = readUpTo(in, MAX_ARCHIVE_BYTES + 1);
                }
                if (archive.length > MAX_ARCHIVE_BYTES) {
                    notInspected(label + ": archive over " + megabytes(MAX_ARCHIVE_BYTES) + " not inspected");
                } else {
                    inspectZip(archive, label, 1);
                }
            } else {
                otherArchive(detected).ifPresent(format -> notInspected(label + ": " + format + " archive not inspected"));
            }
        }

        /** Names, content and nested archives of a zip; encrypted entries; what cannot be read. */
        private void inspectZip(byte[] bytes, String label, int level) {
            AttachmentZip zip;
            try {
                zip = AttachmentZip.open(bytes, MAX_ENTRIES);
            } catch (ZipException | RuntimeException e) {
                inspectZipStream(bytes, label, level, e.getMessage());
                return;
            }
            boolean encrypted = false;
            for (AttachmentZip.Entry entry : zip.entries()) {
                if (++entries > MAX_ENTRIES_PER_MAIL) {
                    limit("archive entries after the first " + MAX_ENTRIES_PER_MAIL + " of the mail not inspected");
                    return;
                }
                for (String name : entry.names()) {
                    bannedName(name).ifPresent(reason -> ban(label + " > " + reason));
                }
                if (entry.directory()) {
                    continue;
                }
                if (entry.encrypted()) {
                    encrypted = true;
                    continue;
                }
                if (entry.size() > MAX_ARCHIVE_BYTES && entry.size() > BOMB_RATIO * Math.max(entry.compressed(), 1)) {
                    // clamd does not flag these (it skips what is over its MaxFileSize); an extractor would fill the disk
                    ban(label + " > " + printable(entry.name()) + ": decompression bomb (" + megabytes(entry.size()) + " from "
                        + Math.max(1, entry.compressed() / 1024) + " KB)");
                    continue;
                }
                if (budget() == 0) {
                    limit(label + ": over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit, the rest not inspected");
                    break;
                }
                String inner = label + " > " + printable(entry.name());
                try {
                    byte[] head = zip.read(entry, (int) Math.min(SNIFF_BYTES, budget()));
                    inflated += head.length;
                    MediaType detected = detect(head);
                    bannedType(detected).ifPresent(type -> ban(inner + ": content is " + type));
                    if (isZip(head, detected) || normalise(entry.name()).endsWith(".zip")) {
                        nestedZip(zip, entry, inner, level);
                    } else {
                        otherArchive(detected).ifPresent(format -> notInspected(inner + ": " + format + " archive not inspected"));
                    }
                } catch (ZipException | RuntimeException e) {
                    notInspected(inner + ": cannot be read (" + e.getMessage() + ")");
                }
            }
            if (zip.total() > MAX_ENTRIES) {
                notInspected(label + ": entries after the first " + MAX_ENTRIES + " not inspected");
            }
            if (encrypted) {
                encrypted(label);
            }
        }

        private void nestedZip(AttachmentZip zip, AttachmentZip.Entry entry, String inner, int level) throws ZipException {
            if (level >= MAX_ARCHIVE_DEPTH) {
                notInspected(inner + ": archive nested deeper than " + MAX_ARCHIVE_DEPTH + " not inspected");
                return;
            }
            long room = budget();
            byte[] nested = zip.read(entry, (int) Math.min(room + 1, Integer.MAX_VALUE - 8));
            inflated += Math.min(nested.length, room);
            if (nested.length > room) {
                notInspected(inner + ": over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit, not inspected");
                return;
            }
            inspectZip(nested, inner, level + 1);
        }

        /**
         * An archive without a readable central directory (truncated, damaged): what a streaming reader
         * still finds in its local headers, within the same limits.
         */
        private void inspectZipStream(byte[] bytes, String label, int level, String why) {
            int seen = 0;
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
                ZipEntry entry;
                byte[] skip = new byte[SNIFF_BYTES];
                while ((entry = zip.getNextEntry()) != null) {
                    if (++seen > MAX_ENTRIES || ++entries > MAX_ENTRIES_PER_MAIL) {
                        limit(label + ": entries after the first " + (seen - 1) + " not inspected");
                        return;
                    }
                    bannedName(entry.getName()).ifPresent(reason -> ban(label + " > " + reason));
                    String inner = label + " > " + printable(entry.getName());
                    byte[] head = readUpTo(zip, (int) Math.min(SNIFF_BYTES, budget()));
                    inflated += head.length;
                    MediaType detected = detect(head);
                    bannedType(detected).ifPresent(type -> ban(inner + ": content is " + type));
                    if (isZip(head, detected) && level < MAX_ARCHIVE_DEPTH) {
                        byte[] rest = readUpTo(zip, (int) budget());
                        inflated += rest.length;
                        byte[] nested = new byte[head.length + rest.length];
                        System.arraycopy(head, 0, nested, 0, head.length);
                        System.arraycopy(rest, 0, nested, head.length, rest.length);
                        inspectZip(nested, inner, level + 1);
                    }
                    // skipping the rest of an entry inflates it: counted, so that a bomb ends the inspection
                    int n;
                    while (budget() > 0 && (n = zip.read(skip, 0, (int) Math.min(skip.length, budget()))) > 0) {
                        inflated += n;
                    }
                    if (budget() == 0) {
                        limit(label + ": over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit, the rest not inspected");
                        return;
                    }
                }
                if (seen == 0) {
                    notInspected(label + ": archive cannot be read (" + why + ")");
                }
            } catch (ZipException e) {
                // java.util.zip refuses encrypted entries outright ("encrypted ZIP entry not supported")
                if (String.valueOf(e.getMessage()).contains("encrypted")) {
                    encrypted(label);
                } else {
                    notInspected(label + ": archive cannot be read (" + why + "; " + e.getMessage() + ")");
                }
            } catch (IOException | RuntimeException e) {
                notInspected(label + ": archive cannot be read (" + why + "; " + e.getMessage() + ")");
            }
        }

        private void encrypted(String label) {
            if (policy.encrypted()) {
                ban(label + ": encrypted archive (its content cannot be scanned)");
            } else {
                LOGGER.debug("Encrypted archive {} allowed by the policy", label);
            }
        }

        private long budget() {
            return Math.max(0, MAX_ARCHIVE_BYTES - inflated);
        }
    }

    private static MediaType detect(byte[] head) {
        if (head.length == 0) {
            return MediaType.OCTET_STREAM;
        }
        MediaType type = MediaType.parse(TIKA.detect(head));
        return type == null ? MediaType.OCTET_STREAM : type;
    }

    /** The detected type when it, or a type it is a kind of, is banned (x-msdownload; format=pe32 is an x-msdownload). */
    private Optional<String> bannedType(MediaType detected) {
        if (policy.types().isEmpty()) {
            return Optional.empty();
        }
        // application/octet-stream, the root of the hierarchy, bans only what Tika could not identify at all
        for (MediaType type = detected; type != null; type = TYPES.getSupertype(type)) {
            if (type.equals(MediaType.OCTET_STREAM) && !detected.equals(MediaType.OCTET_STREAM)) {
                break;
            }
            if (policy.types().contains(type.toString().toLowerCase(Locale.ROOT))
                || policy.types().contains(type.getBaseType().toString().toLowerCase(Locale.ROOT))) {
                return Optional.of(detected.getBaseType().toString());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> otherArchive(MediaType detected) {
        String base = detected.getBaseType().toString();
        if (!OTHER_ARCHIVES.contains(base)) {
            return Optional.empty();
        }
        return Optional.of(switch (base) {
            case "application/x-rar-compressed" -> "RAR";
            case "application/x-7z-compressed" -> "7z";
            case "application/gzip" -> "gzip";
            case "application/x-tar" -> "tar";
            case "application/vnd.ms-cab-compressed" -> "cab";
            case "application/x-iso9660-image" -> "ISO image";
            default -> base.substring(base.indexOf('/') + 1).replaceFirst("^x-", "");
        });
    }

    private static boolean isZip(byte[] head, MediaType detected) {
        boolean magic = head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6
            || head[2] == 7 && head[3] == 8);
        return magic || "application/zip".equals(detected.getBaseType().toString());
    }

    /** The names the part goes by: its Content-Disposition file name and its Content-Type name (clients use either). */
    private static Set<String> fileNames(Part part) {
        Set<String> names = new LinkedHashSet<>();
        try {
            Optional.ofNullable(part.getFileName()).ifPresent(names::add);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.debug("Unreadable file name: {}", e.toString());
        }
        for (String[] header : new String[][] {{"Content-Disposition", "filename"}, {"Content-Type", "name"}}) {
            try {
                String[] values = part.getHeader(header[0]);
                if (values != null && values.length > 0) {
                    String value = header[0].equals("Content-Type")
                        ? new ContentType(values[0]).getParameter(header[1])
                        : new ContentDisposition(values[0]).getParameter(header[1]);
                    Optional.ofNullable(value).ifPresent(names::add);
                }
            } catch (MessagingException | RuntimeException e) {
                LOGGER.debug("Unreadable {}: {}", header[0], e.toString());
            }
        }
        Set<String> decoded = new LinkedHashSet<>();
        for (String name : names) {
            try {
                decoded.add(MimeUtility.decodeText(name));
            } catch (IOException | RuntimeException e) {
                decoded.add(name);
            }
        }
        decoded.removeIf(String::isBlank);
        return decoded;
    }

    /**
     * Up to {@code limit} bytes. Not {@code InputStream.readNBytes}: JavaMail's BASE64DecoderStream answers
     * a read of 0 bytes with -1, which makes readNBytes stop at 8 KB as if the attachment ended there.
     */
    static byte[] readUpTo(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 65536));
        byte[] buffer = new byte[8192];
        while (out.size() < limit) {
            int n = in.read(buffer, 0, Math.min(buffer.length, limit - out.size()));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String megabytes(long bytes) {
        return bytes / (1024 * 1024) + " MB";
    }
}
