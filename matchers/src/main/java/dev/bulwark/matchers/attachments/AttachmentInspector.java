package dev.bulwark.matchers.attachments;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.util.SharedByteArrayInputStream;

import org.apache.james.mime4j.MimeException;
import org.apache.tika.Tika;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;

import dev.bulwark.matchers.attachments.Findings.Kind;

/**
 * Finds banned attachments in a MIME tree: by name (extension, double extension, names dressed up with
 * trailing dots, spaces or bidirectional controls such as the right-to-left override; every name a
 * reader may give the part counts), by the type detected from the bytes (Apache Tika's magic numbers: an
 * executable named photo.jpg), inside zip archives (entries, nested zips), in the file lists of RAR
 * archives, inside Outlook's winmail.dat (TNEF) and files uuencoded in text bodies; and encrypted archives.
 *
 * <p>Nothing is skipped silently. A part the check cannot inspect is <em>uninspectable</em>: MIME that
 * javax.mail cannot parse, headers that parsers read differently (two Content-Type headers, an
 * unterminated quote, a boundary given twice), a structure James's own parser (mime4j) reads otherwise,
 * a body that cannot be decoded, message fragments, a limit hit. An archive that cannot be read is
 * <em>damaged</em>; an archive format whose content is not opened here is <em>unopened</em>. What each
 * kind leads to is the {@link AttachmentPolicy}'s to say.
 *
 * <p>Bounded: MIME depth and parts, archive nesting, entries, and the bytes inflated or held per mail;
 * skipping an archive entry never inflates it. Thread-safe; also usable for one attachment on its own.
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
    private static final Tika TIKA = new Tika();
    private static final MediaTypeRegistry TYPES = MimeTypes.getDefaultMimeTypes().getMediaTypeRegistry();
    /** Archive formats Tika recognises whose content is not opened here (zip is; RAR and 7z are listed). */
    private static final Set<String> OTHER_ARCHIVES = Set.of("application/gzip", "application/x-bzip", "application/x-bzip2",
        "application/x-xz", "application/x-tar", "application/vnd.ms-cab-compressed", "application/x-iso9660-image",
        "application/x-apple-diskimage", "application/x-ace-compressed", "application/x-arj", "application/x-lha", "application/x-lharc",
        "application/x-lzip", "application/x-lzma", "application/zstd", "application/x-compress", "application/x-cpio", "application/x-vhd");
    /** Types whose content is elsewhere or encoded in a way not decoded here. */
    private static final Set<String> NOT_HERE = Set.of("message/partial", "message/external-body", "application/mac-binhex40",
        "application/binhex", "application/x-binhex40");
    private static final String CONTROLS = "[\\p{Cf}\\p{Cntrl}]";

    /**
     * What an inspection found, by what the policy does with it.
     *
     * @param banned      why the mail is banned, one reason per finding; empty when it is not
     * @param suspicious  why the mail is suspicious (by default: damaged archives)
     * @param uninspected what could not be inspected and lets the mail go on (recorded only)
     * @param bannedParts the parts the banned findings are in, by section ("2", "1.3": the numbering of IMAP's
     *                    BODY[section], counted in the mail's own MIME tree; a message attached to the mail counts as
     *                    its part), each a leaf, an attached message or (findings in its own headers) a multipart, that
     *                    can be removed on its own; empty when a
     *                    finding is not in such a part (the message as a whole, its structure, a limit)
     * @param suspiciousParts the same for the suspicious findings
     */
    public record Report(List<String> banned, List<String> suspicious, List<String> uninspected,
                         Optional<List<String>> bannedParts, Optional<List<String>> suspiciousParts) {
        public Report {
            banned = List.copyOf(banned);
            suspicious = List.copyOf(suspicious);
            uninspected = List.copyOf(uninspected);
            bannedParts = bannedParts.map(List::copyOf);
            suspiciousParts = suspiciousParts.map(List::copyOf);
        }

        public boolean isBanned() {
            return !banned.isEmpty();
        }

        public boolean isSuspicious() {
            return !suspicious.isEmpty();
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

    /** What is banned in the part tree, what is suspicious, and what could not be inspected. */
    public Report report(Part part) {
        Inspection inspection = new Inspection(new Findings(policy));
        inspection.message(part, 0, part instanceof MimeMessage message ? Optional.of(() -> raw(message)) : Optional.empty());
        return inspection.findings.report();
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

    static String printable(String name) {
        String shown = name.replaceAll(CONTROLS, "?");
        return shown.length() > 120 ? shown.substring(0, 120) + "..." : shown;
    }

    /** A message's bytes as James delivers them: its header lines, then its body as received. */
    private static InputStream raw(MimeMessage message) throws MessagingException, IOException {
        try {
            InputStream body = message.getRawInputStream();
            StringBuilder headers = new StringBuilder();
            for (String line : Collections.list(message.getAllHeaderLines())) {
                headers.append(line).append("\r\n");
            }
            headers.append("\r\n");
            return new SequenceInputStream(new ByteArrayInputStream(headers.toString().getBytes(StandardCharsets.UTF_8)), body);
        } catch (MessagingException e) {
            // built in memory, never written: its bytes are what writeTo gives
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return new ByteArrayInputStream(out.toByteArray());
        }
    }

    /** Opens a stream of a message's bytes. */
    private interface RawMessage {
        InputStream open() throws MessagingException, IOException;
    }

    /** The leaves of one MIME tree as the check walked it, to compare with James's reading. */
    private static final class Structure {
        private int leaves;
        private boolean incomplete;
    }

    /** The state of one inspection. */
    private final class Inspection {
        private final Findings findings;

        Inspection(Findings findings) {
            this.findings = findings;
        }

        private void ban(String reason) {
            findings.add(Kind.BANNED, reason);
        }

        /** A whole message (the mail, or one attached to it): walked, then compared with James's reading of it. */
        private void message(Part message, int depth, Optional<RawMessage> raw) {
            Structure structure = new Structure();
            walk(message, depth, "", structure, false);
            if (raw.isPresent() && !structure.incomplete) {
                crossCheck(raw.get(), structure);
            }
        }

        /**
         * What mime4j, James's own parser, makes of the same bytes: every name it gives a part is checked,
         * and a different count of parts means the structure is ambiguous (a mail client may show parts
         * the check never saw).
         */
        private void crossCheck(RawMessage raw, Structure structure) {
            try (InputStream in = raw.open()) {
                List<Mime4jView.Leaf> leaves = Mime4jView.leaves(in);
                leaves.forEach(leaf -> leaf.names().forEach(name -> bannedName(name).ifPresent(this::ban)));
                if (leaves.size() != structure.leaves) {
                    findings.add(Kind.UNINSPECTABLE, "James's MIME parser reads " + leaves.size() + " parts where the check reads "
                        + structure.leaves + " (the MIME structure is ambiguous)");
                }
            } catch (MessagingException | IOException | MimeException | RuntimeException e) {
                findings.add(Kind.UNINSPECTABLE, "James's MIME parser cannot read the message (" + printable(String.valueOf(e.getMessage())) + ")");
            }
        }

        private void walk(Part part, int depth, String section, Structure structure, boolean inDigest) {
            if (depth > MAX_DEPTH) {
                structure.incomplete = true;
                findings.limit("MIME parts nested deeper than " + MAX_DEPTH);
                return;
            }
            if (!findings.nextPart(MAX_PARTS)) {
                structure.incomplete = true;
                findings.limit("MIME parts after the first " + MAX_PARTS);
                return;
            }
            Optional<String> outer = locateInMail(section);
            try {
                walkLocated(part, depth, section, structure, inDigest, outer.isEmpty());
            } finally {
                findings.locate(outer);
            }
        }

        private void walkLocated(Part part, int depth, String section, Structure structure, boolean inDigest, boolean inMailTree) {
            String where = section.isEmpty() ? "the message" : "part " + section;
            Optional<String> anomaly = Optional.empty();
            try {
                PartHeaders headers = PartHeaders.of(part);
                Set<String> names = new LinkedHashSet<>(headers.names());
                strictFileName(part).ifPresent(names::add);
                names.forEach(name -> bannedName(name).ifPresent(this::ban));
                String type = headers.baseType(inDigest ? "message/rfc822" : "text/plain");
                String described = where + " (" + printable(type) + (names.isEmpty() ? "" : ", " + printable(names.iterator().next())) + ")";
                anomaly = headers.anomaly();
                anomaly.ifPresent(found -> findings.add(Kind.UNINSPECTABLE, described + ": " + found));
                if (type.startsWith("multipart/")) {
                    if (!(part.getContent() instanceof Multipart multipart)) {
                        findings.add(Kind.UNINSPECTABLE, described + ": not readable as multipart");
                        return;
                    }
                    if (inMailTree) {
                        findings.locate(Optional.empty()); // each child of a multipart of the mail is a part of its own
                    }
                    for (int i = 0; i < multipart.getCount(); i++) {
                        BodyPart child = multipart.getBodyPart(i);
                        walk(child, depth + 1, section.isEmpty() ? Integer.toString(i + 1) : section + "." + (i + 1), structure,
                            type.equals("multipart/digest"));
                    }
                    return;
                }
                if (type.equals("message/rfc822") || type.equals("message/global")) {
                    walk(attachedMessage(part), depth + 1, section, structure, false);
                    return;
                }
                structure.leaves++;
                leaf(part, headers, type, names, where, described, depth);
            } catch (MessagingException | IOException | RuntimeException e) {
                String why = String.valueOf(e.getMessage());
                if (anomaly.filter(found -> found.contains(why)).isEmpty()) {
                    findings.add(Kind.UNINSPECTABLE, where + ": cannot be read (" + printable(why) + ")");
                }
            }
        }

        /**
         * From here on findings are in this part of the mail, when it is a part of the mail's own tree (inside a message
         * attached to the mail, the attached message, located already, is the part to remove) and not the message itself.
         * Returns where findings were before.
         */
        private Optional<String> locateInMail(String section) {
            Optional<String> before = findings.locate(Optional.empty());
            findings.locate(before.isPresent() || section.isEmpty() ? before : Optional.of(section));
            return before;
        }

        /** A leaf part: a body, or an attachment whose content is inspected. */
        private void leaf(Part part, PartHeaders headers, String type, Set<String> names, String where, String described, int depth)
            throws MessagingException, IOException {
            if (NOT_HERE.contains(type)) {
                findings.add(Kind.UNINSPECTABLE, described + ": " + type + " content is not inspected (a fragment, a reference or BinHex)");
                return;
            }
            if (names.isEmpty() && !headers.dispositionAttachment() && type.startsWith("text/")) {
                if (type.equals("text/plain")) {
                    uuencoded(part, where, depth);
                }
                return; // a message body
            }
            TransferEncodings.anomaly(part, headers).ifPresent(found -> findings.add(Kind.UNINSPECTABLE, described + ": " + found));
            content(part, names.isEmpty() ? described : printable(names.iterator().next()), names, type, depth);
        }

        /** The message inside a message/rfc822 part; in a digest a part without Content-Type is one too. */
        private Part attachedMessage(Part part) throws MessagingException, IOException {
            Object content = part.getContent();
            if (content instanceof Part nested) {
                return nested;
            }
            try (InputStream in = part.getInputStream()) {
                return new MimeMessage((Session) null, in);
            }
        }

        private Optional<String> strictFileName(Part part) {
            try {
                return Optional.ofNullable(part.getFileName()).filter(name -> !name.isBlank());
            } catch (MessagingException | RuntimeException e) {
                return Optional.empty(); // the lenient reading in PartHeaders has the names
            }
        }

        /** Files uuencoded in a text body: Outlook and Thunderbird show them as attachments. */
        private void uuencoded(Part part, String where, int depth) throws MessagingException, IOException {
            List<Uuencoded.Block> blocks;
            try (InputStream in = part.getInputStream()) {
                blocks = Uuencoded.find(in, (int) Math.min(MAX_ARCHIVE_BYTES, findings.budget()));
            }
            for (Uuencoded.Block block : blocks) {
                String label = where + " > " + printable(block.name());
                bannedName(block.name()).ifPresent(reason -> ban(where + " > " + reason));
                findings.use(block.data().length);
                if (block.truncated()) {
                    findings.add(Kind.UNINSPECTABLE, label + ": uuencoded file over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit");
                }
                bytes(block.data(), label, Set.of(block.name()), depth + 1);
            }
        }

        /** An attachment's content, read from its part: only the first bytes unless it is a container. */
        private void content(Part part, String label, Set<String> names, String declared, int depth) throws MessagingException, IOException {
            byte[] head;
            try (InputStream in = part.getInputStream()) {
                head = readUpTo(in, SNIFF_BYTES);
            }
            Container container = container(head, names, declared);
            if (container == Container.NONE || !container.opened(policy)) {
                dispatch(head, head, label, names, container, depth);
                return;
            }
            long room = container.held() ? findings.budget() : MAX_ARCHIVE_BYTES;
            byte[] whole;
            try (InputStream in = part.getInputStream()) {
                whole = readUpTo(in, (int) Math.min(room + 1, MAX_ARCHIVE_BYTES + 1L));
            }
            if (whole.length > room) {
                sniff(head, label);
                findings.add(Kind.UNINSPECTABLE, label + ": " + container.description() + " over the " + megabytes(MAX_ARCHIVE_BYTES)
                    + " inspection limit");
                return;
            }
            dispatch(head, whole, label, names, container, depth);
        }

        /** Bytes already decoded (from a TNEF stream, a uuencoded block): inspected like an attachment's content. */
        private void bytes(byte[] data, String label, Set<String> names, int depth) {
            byte[] head = data.length > SNIFF_BYTES ? java.util.Arrays.copyOf(data, SNIFF_BYTES) : data;
            dispatch(head, data, label, names, container(head, names, ""), depth);
        }

        private void dispatch(byte[] head, byte[] whole, String label, Set<String> names, Container container, int depth) {
            sniff(head, label);
            if (!container.opened(policy)) {
                return;
            }
            switch (container) {
                case ZIP -> archive(whole, label, 1);
                case RAR -> rar(whole, label);
                case SEVEN_ZIP -> sevenZip(whole, label);
                case TNEF -> tnef(whole, label, depth);
                case MESSAGE -> attachedMessage(whole, label, depth);
                case OTHER -> otherArchive(detect(head)).ifPresent(format -> findings.add(Kind.UNOPENED, label + ": " + format
                    + " archive not inspected"));
                case NONE -> {
                    // nothing inside to open
                }
            }
        }

        private void sniff(byte[] head, String label) {
            bannedType(detect(head)).ifPresent(type -> ban(label + ": content is " + type));
        }

        /** A message attached as a file (forward.eml): mail clients open it and show its attachments. */
        private void attachedMessage(byte[] message, String label, int depth) {
            if (!findings.nextAttachedMessage(MAX_ATTACHED_MESSAGES)) {
                findings.limit("attached messages after the first " + MAX_ATTACHED_MESSAGES);
                return;
            }
            findings.use(message.length);
            try {
                // SharedByteArrayInputStream: the parsed parts share these bytes instead of copying them
                message(new MimeMessage((Session) null, new SharedByteArrayInputStream(message)), depth + 1,
                    Optional.of(() -> new ByteArrayInputStream(message)));
            } catch (MessagingException | RuntimeException e) {
                findings.add(Kind.UNINSPECTABLE, label + ": attached message cannot be read (" + printable(String.valueOf(e.getMessage())) + ")");
            }
        }

        /** Outlook's winmail.dat: the attachments it holds, as Outlook shows them. */
        private void tnef(byte[] stream, String label, int depth) {
            List<Tnef.Attachment> attachments;
            try {
                attachments = Tnef.attachments(stream);
            } catch (Tnef.TnefException | RuntimeException e) {
                findings.add(Kind.UNINSPECTABLE, label + ": TNEF (winmail.dat) cannot be read (" + printable(String.valueOf(e.getMessage())) + ")");
                return;
            }
            for (Tnef.Attachment attachment : attachments) {
                String name = attachment.names().isEmpty() ? "unnamed attachment" : attachment.names().iterator().next();
                attachment.names().forEach(n -> bannedName(n).ifPresent(reason -> ban(label + " > " + reason)));
                if (findings.budget() < attachment.data().length) {
                    findings.limit(label + ": over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit, the rest not inspected");
                    return;
                }
                findings.use(attachment.data().length);
                bytes(attachment.data(), label + " > " + printable(name), attachment.names(), depth + 1);
            }
        }

        private void rar(byte[] bytes, String label) {
            RarArchive.Listing listing;
            try {
                listing = RarArchive.read(bytes, MAX_ENTRIES);
            } catch (DamagedArchiveException | RuntimeException e) {
                findings.add(Kind.DAMAGED, label + ": RAR archive cannot be read (" + e.getMessage() + ")");
                return;
            }
            for (RarArchive.Entry entry : listing.entries()) {
                if (!findings.nextEntry(MAX_ENTRIES_PER_MAIL)) {
                    findings.limit("archive entries after the first " + MAX_ENTRIES_PER_MAIL + " of the mail");
                    return;
                }
                bannedName(entry.name()).ifPresent(reason -> ban(label + " > " + reason));
            }
            if (listing.more()) {
                findings.add(Kind.UNINSPECTABLE, label + ": entries after the first " + MAX_ENTRIES + " not inspected");
            }
            if (listing.headersEncrypted()) {
                encrypted(label, "RAR archive with an encrypted file list");
            } else if (listing.anyEncrypted()) {
                encrypted(label, "encrypted RAR archive");
            }
            findings.add(Kind.UNOPENED, label + ": RAR archive content not inspected (its file names are)");
        }

        private void sevenZip(byte[] bytes, String label) {
            try {
                switch (SevenZipArchive.header(bytes)) {
                    case ENCRYPTED -> encrypted(label, "encrypted 7z archive");
                    case PLAIN, COMPRESSED -> findings.add(Kind.UNOPENED, label + ": 7z archive not inspected");
                }
            } catch (DamagedArchiveException | RuntimeException e) {
                findings.add(Kind.DAMAGED, label + ": 7z archive cannot be read (" + e.getMessage() + ")");
            }
        }

        private void encrypted(String label, String what) {
            findings.add(Kind.ENCRYPTED, label + ": " + what + " (its content cannot be scanned)");
        }

        /** A zip's names, content and nested archives; encrypted entries; what cannot be read. */
        private void archive(byte[] bytes, String label, int level) {
            new ZipInspection(findings, AttachmentInspector.this::bannedName, this::entryContent).inspect(bytes, label, level);
        }

        /** An archive entry's first bytes and, for a nested archive, the whole of it (within the budget). */
        private void entryContent(ZipInspection.EntryBytes entry) throws java.util.zip.ZipException {
            sniff(entry.head(), entry.label());
            Container container = container(entry.head(), Set.of(entry.name()), "");
            switch (container) {
                case ZIP, RAR, SEVEN_ZIP -> {
                    if (entry.level() >= policy.maxArchiveDepth()) {
                        findings.add(Kind.BANNED, entry.label() + ": archive nested deeper than " + policy.maxArchiveDepth()
                            + " (banned.archives.maxDepth)");
                        return;
                    }
                    if (entry.level() >= MAX_ARCHIVE_DEPTH) {
                        findings.add(Kind.UNINSPECTABLE, entry.label() + ": archive nested deeper than " + MAX_ARCHIVE_DEPTH + " not inspected");
                        return;
                    }
                    Optional<byte[]> whole = entry.whole();
                    if (whole.isEmpty()) {
                        findings.add(Kind.UNINSPECTABLE, entry.label() + ": over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit, not inspected");
                        return;
                    }
                    switch (container) {
                        case ZIP -> archive(whole.get(), entry.label(), entry.level() + 1);
                        case RAR -> rar(whole.get(), entry.label());
                        default -> sevenZip(whole.get(), entry.label());
                    }
                }
                case OTHER -> otherArchive(detect(entry.head())).ifPresent(format -> findings.add(Kind.UNOPENED, entry.label() + ": " + format
                    + " archive not inspected"));
                default -> {
                    // a file: its type was checked
                }
            }
        }
    }

    /** What an attachment's bytes hold that is opened rather than only typed. */
    private enum Container {
        ZIP, RAR, SEVEN_ZIP, TNEF, MESSAGE, OTHER, NONE;

        boolean opened(AttachmentPolicy policy) {
            return switch (this) {
                case TNEF, MESSAGE -> true;
                case NONE -> false;
                default -> policy.archives();
            };
        }

        /** Held whole while inspected (their bytes count against the mail's budget, as inflated bytes do). */
        boolean held() {
            return this == TNEF || this == MESSAGE;
        }

        String description() {
            return switch (this) {
                case TNEF -> "TNEF (winmail.dat)";
                case MESSAGE -> "attached message";
                default -> "archive";
            };
        }
    }

    private static Container container(byte[] head, Set<String> names, String declared) {
        MediaType detected = detect(head);
        if (isZip(head, detected) || names.stream().anyMatch(name -> normalise(name).endsWith(".zip"))) {
            return Container.ZIP;
        }
        if (RarArchive.isRar(head)) {
            return Container.RAR;
        }
        if (SevenZipArchive.is7z(head)) {
            return Container.SEVEN_ZIP;
        }
        if (Tnef.isTnef(head) || declared.equals("application/ms-tnef") || declared.equals("application/vnd.ms-tnef")
            || names.stream().anyMatch(name -> normalise(name).equals("winmail.dat"))) {
            return Container.TNEF;
        }
        if (detected.getBaseType().toString().equals("message/rfc822") || names.stream().anyMatch(name -> normalise(name).endsWith(".eml"))) {
            return Container.MESSAGE;
        }
        return otherArchive(detected).isPresent() ? Container.OTHER : Container.NONE;
    }

    static MediaType detect(byte[] head) {
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
                || policy.types().contains(type.getBaseType().toString().toLowerCase(Locale.ROOT))
                || policy.types().contains(type.getType().toLowerCase(Locale.ROOT) + "/*")) {
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
            case "application/gzip" -> "gzip";
            case "application/x-tar" -> "tar";
            case "application/vnd.ms-cab-compressed" -> "cab";
            case "application/x-iso9660-image" -> "ISO image";
            default -> base.substring(base.indexOf('/') + 1).replaceFirst("^x-", "");
        });
    }

    static boolean isZip(byte[] head, MediaType detected) {
        boolean magic = head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6
            || head[2] == 7 && head[3] == 8);
        return magic || "application/zip".equals(detected.getBaseType().toString());
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

    static String megabytes(long bytes) {
        return bytes / (1024 * 1024) + " MB";
    }
}
