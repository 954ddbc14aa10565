package dev.bulwark.matchers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeUtility;

import org.apache.tika.Tika;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds banned attachments in a MIME tree: by name (extension, double extension, names dressed up with
 * trailing dots, spaces or right-to-left overrides), by the type detected from the bytes (Apache Tika's
 * magic numbers: an executable named photo.jpg), inside zip archives (entries, nested zips), and
 * encrypted archives. Bounded in depth, parts, entries and bytes read; a part that cannot be decoded is
 * skipped, never a failure.
 */
public final class AttachmentInspector {
    static final int MAX_DEPTH = 32;
    static final int MAX_PARTS = 2000;
    static final int MAX_ARCHIVE_DEPTH = 4;
    static final int MAX_ENTRIES = 1000;
    static final int SNIFF_BYTES = 8192;
    static final long MAX_ARCHIVE_BYTES = 50L * 1024 * 1024;
    private static final Logger LOGGER = LoggerFactory.getLogger(AttachmentInspector.class);
    private static final Tika TIKA = new Tika();

    private final AttachmentPolicy policy;

    public AttachmentInspector(AttachmentPolicy policy) {
        this.policy = policy;
    }

    /** Why the part tree is banned: one reason per banned attachment; empty when nothing is. */
    public List<String> inspect(Part message) {
        List<String> reasons = new ArrayList<>();
        walk(message, 0, new int[] {0}, reasons);
        return reasons;
    }

    private void walk(Part part, int depth, int[] parts, List<String> reasons) {
        if (depth > MAX_DEPTH || ++parts[0] > MAX_PARTS) {
            return;
        }
        try {
            if (part.isMimeType("multipart/*")) {
                Object content = part.getContent();
                if (content instanceof Multipart multipart) {
                    for (int i = 0; i < multipart.getCount(); i++) {
                        BodyPart child = multipart.getBodyPart(i);
                        walk(child, depth + 1, parts, reasons);
                    }
                }
                return;
            }
            if (part.isMimeType("message/rfc822")) {
                Object content = part.getContent();
                if (content instanceof Part nested) {
                    walk(nested, depth + 1, parts, reasons);
                }
                return;
            }
            Optional<String> name = fileName(part);
            name.flatMap(this::bannedName).ifPresent(reasons::add);
            if (name.isEmpty() && part.getDisposition() == null && part.isMimeType("text/*")) {
                return; // a message body
            }
            byte[] head;
            try (InputStream in = part.getInputStream()) {
                head = in.readNBytes(SNIFF_BYTES);
            }
            String label = name.orElse("unnamed attachment");
            bannedType(head).ifPresent(type -> reasons.add(label + ": content is " + type));
            if (policy.archives() && isZip(head)) {
                try (InputStream in = part.getInputStream()) {
                    inspectZip(in, label, 1, reasons);
                }
            }
        } catch (MessagingException | IOException | RuntimeException e) {
            LOGGER.debug("Part skipped by the attachment check: {}", e.getMessage());
        }
    }

    private void inspectZip(InputStream in, String label, int level, List<String> reasons) {
        try (ZipInputStream zip = new ZipInputStream(in)) {
            long read = 0;
            int entries = 0;
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null && entries++ < MAX_ENTRIES && read < MAX_ARCHIVE_BYTES) {
                if (entry.isDirectory()) {
                    continue;
                }
                String inner = label + " > " + entry.getName();
                bannedName(entry.getName()).ifPresent(reason -> reasons.add(label + " > " + reason));
                byte[] head = zip.readNBytes(SNIFF_BYTES);
                read += head.length;
                bannedType(head).ifPresent(type -> reasons.add(inner + ": content is " + type));
                if (isZip(head) && level < MAX_ARCHIVE_DEPTH) {
                    byte[] rest = zip.readNBytes((int) Math.min(MAX_ARCHIVE_BYTES - read, Integer.MAX_VALUE - SNIFF_BYTES));
                    read += rest.length;
                    byte[] nested = new byte[head.length + rest.length];
                    System.arraycopy(head, 0, nested, 0, head.length);
                    System.arraycopy(rest, 0, nested, head.length, rest.length);
                    inspectZip(new ByteArrayInputStream(nested), inner, level + 1, reasons);
                }
            }
        } catch (ZipException e) {
            // java.util.zip refuses encrypted entries outright: that is how an encrypted archive shows.
            if (String.valueOf(e.getMessage()).contains("encrypted")) {
                if (policy.encrypted()) {
                    reasons.add(label + ": encrypted archive (its content cannot be scanned)");
                }
            } else if (policy.unreadable()) {
                reasons.add(label + ": archive cannot be read (" + e.getMessage() + ")");
            }
        } catch (IOException | RuntimeException e) {
            if (policy.unreadable()) {
                reasons.add(label + ": archive cannot be read (" + e.getMessage() + ")");
            }
            LOGGER.debug("Archive {} not fully inspected: {}", label, e.getMessage());
        }
    }

    /** A banned extension, also hidden behind a harmless one (invoice.pdf.exe) or trailing dots and spaces. */
    Optional<String> bannedName(String raw) {
        String name = normalise(raw);
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        String base = name.substring(slash + 1);
        String[] pieces = base.split("\\.");
        if (pieces.length < 2) {
            return Optional.empty();
        }
        String extension = pieces[pieces.length - 1];
        if (!policy.extensions().contains(extension)) {
            return Optional.empty();
        }
        if (pieces.length >= 3 && !pieces[pieces.length - 2].isEmpty()) {
            return Optional.of(printable(raw) + ": double extension ." + pieces[pieces.length - 2] + "." + extension);
        }
        return Optional.of(printable(raw) + ": banned extension ." + extension);
    }

    private Optional<String> bannedType(byte[] head) {
        if (head.length == 0) {
            return Optional.empty();
        }
        String type = TIKA.detect(head).toLowerCase(Locale.ROOT);
        String base = type.contains(";") ? type.substring(0, type.indexOf(';')).trim() : type;
        return policy.types().contains(base) ? Optional.of(base) : Optional.empty();
    }

    private static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    private static Optional<String> fileName(Part part) {
        try {
            String name = part.getFileName();
            if (name == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(MimeUtility.decodeText(name));
            } catch (java.io.UnsupportedEncodingException e) {
                return Optional.of(name);
            }
        } catch (MessagingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Lower case, without bidirectional controls, trailing dots and spaces that hide the real extension. */
    static String normalise(String name) {
        String withoutControls = name.replaceAll("[\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\p{Cntrl}]", "");
        return withoutControls.toLowerCase(Locale.ROOT).replaceAll("[.\\s]+$", "").trim();
    }

    private static String printable(String name) {
        String shown = name.replaceAll("[\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\p{Cntrl}]", "?");
        return shown.length() > 120 ? shown.substring(0, 120) + "..." : shown;
    }
}
