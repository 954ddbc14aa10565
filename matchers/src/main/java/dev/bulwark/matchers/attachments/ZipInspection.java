package dev.bulwark.matchers.attachments;

import static dev.bulwark.matchers.attachments.AttachmentInspector.BOMB_RATIO;
import static dev.bulwark.matchers.attachments.AttachmentInspector.MAX_ARCHIVE_BYTES;
import static dev.bulwark.matchers.attachments.AttachmentInspector.MAX_ENTRIES;
import static dev.bulwark.matchers.attachments.AttachmentInspector.MAX_ENTRIES_PER_MAIL;
import static dev.bulwark.matchers.attachments.AttachmentInspector.SNIFF_BYTES;
import static dev.bulwark.matchers.attachments.AttachmentInspector.megabytes;
import static dev.bulwark.matchers.attachments.AttachmentInspector.printable;
import static dev.bulwark.matchers.attachments.AttachmentInspector.readUpTo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

import dev.bulwark.matchers.attachments.Findings.Kind;

/**
 * One zip archive of an attachment: its entries' names (banned ones), its encrypted entries, bombs, and
 * each entry's first bytes handed to the inspector (which types them and opens nested archives), all
 * within the mail's limits. Read from the central directory as extractors read it; an archive without
 * one is read from its local headers as streaming readers do.
 */
final class ZipInspection {
    /** One entry's bytes: the first ones always, the whole of it on request (within the mail's budget). */
    record EntryBytes(String name, String label, int level, byte[] head, WholeEntry reader) {
        Optional<byte[]> whole() throws ZipException {
            return reader.read();
        }
    }

    interface WholeEntry {
        /** The entry's bytes, or empty when they are over what is left of the budget. */
        Optional<byte[]> read() throws ZipException;
    }

    interface EntryHandler {
        void handle(EntryBytes entry) throws ZipException;
    }

    private final Findings findings;
    private final Function<String, Optional<String>> bannedName;
    private final EntryHandler handler;

    ZipInspection(Findings findings, Function<String, Optional<String>> bannedName, EntryHandler handler) {
        this.findings = findings;
        this.bannedName = bannedName;
        this.handler = handler;
    }

    void inspect(byte[] bytes, String label, int level) {
        AttachmentZip zip;
        try {
            zip = AttachmentZip.open(bytes, MAX_ENTRIES);
        } catch (ZipException | RuntimeException e) {
            stream(bytes, label, level, e.getMessage());
            return;
        }
        boolean encrypted = false;
        for (AttachmentZip.Entry entry : zip.entries()) {
            if (!findings.nextEntry(MAX_ENTRIES_PER_MAIL)) {
                findings.limit("archive entries after the first " + MAX_ENTRIES_PER_MAIL + " of the mail");
                return;
            }
            for (String name : entry.names()) {
                ban(label, name);
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
                findings.add(Kind.BANNED, label + " > " + printable(entry.name()) + ": decompression bomb (" + megabytes(entry.size()) + " from "
                    + Math.max(1, entry.compressed() / 1024) + " KB)");
                continue;
            }
            if (findings.budget() == 0) {
                findings.limit(label + ": over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit, the rest");
                break;
            }
            String inner = label + " > " + printable(entry.name());
            try {
                byte[] head = zip.read(entry, (int) Math.min(SNIFF_BYTES, findings.budget()));
                findings.use(head.length);
                handler.handle(new EntryBytes(entry.name(), inner, level, head, () -> {
                    long room = findings.budget();
                    byte[] nested = zip.read(entry, (int) Math.min(room + 1, Integer.MAX_VALUE - 8));
                    findings.use(Math.min(nested.length, room));
                    return nested.length > room ? Optional.empty() : Optional.of(nested);
                }));
            } catch (ZipException | RuntimeException e) {
                findings.add(Kind.DAMAGED, inner + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        if (zip.total() > MAX_ENTRIES) {
            findings.add(Kind.UNINSPECTABLE, label + ": entries after the first " + MAX_ENTRIES + " not inspected");
        }
        if (encrypted) {
            encrypted(label);
        }
    }

    private void ban(String label, String name) {
        bannedName.apply(name).ifPresent(reason -> findings.add(Kind.BANNED, label + " > " + reason));
    }

    private void encrypted(String label) {
        findings.add(Kind.ENCRYPTED, label + ": encrypted archive (its content cannot be scanned)");
    }

    /**
     * An archive without a readable central directory (truncated, damaged): damaged, and what a streaming
     * reader still finds in its local headers checked, within the same limits.
     */
    private void stream(byte[] bytes, String label, int level, String why) {
        int seen = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry entry;
            byte[] skip = new byte[SNIFF_BYTES];
            while ((entry = zip.getNextEntry()) != null) {
                if (++seen > MAX_ENTRIES || !findings.nextEntry(MAX_ENTRIES_PER_MAIL)) {
                    findings.limit(label + ": entries after the first " + (seen - 1));
                    return;
                }
                ban(label, entry.getName());
                String inner = label + " > " + printable(entry.getName());
                byte[] head = readUpTo(zip, (int) Math.min(SNIFF_BYTES, findings.budget()));
                findings.use(head.length);
                handler.handle(new EntryBytes(entry.getName(), inner, level, head, () -> {
                    try {
                        byte[] rest = readUpTo(zip, (int) findings.budget());
                        findings.use(rest.length);
                        byte[] nested = new byte[head.length + rest.length];
                        System.arraycopy(head, 0, nested, 0, head.length);
                        System.arraycopy(rest, 0, nested, head.length, rest.length);
                        return findings.budget() == 0 ? Optional.empty() : Optional.of(nested);
                    } catch (IOException e) {
                        throw new ZipException(e.getMessage());
                    }
                }));
                // skipping the rest of an entry inflates it: counted, so that a bomb ends the inspection
                int n;
                while (findings.budget() > 0 && (n = zip.read(skip, 0, (int) Math.min(skip.length, findings.budget()))) > 0) {
                    findings.use(n);
                }
                if (findings.budget() == 0) {
                    findings.limit(label + ": over the " + megabytes(MAX_ARCHIVE_BYTES) + " inspection limit, the rest");
                    return;
                }
            }
            // without a central directory Explorer refuses the archive and other extractors guess: damaged, whatever was read
            findings.add(Kind.DAMAGED, label + ": archive cannot be read (" + why + ")"
                + (seen == 0 ? "" : "; " + seen + (seen == 1 ? " entry" : " entries") + " read from the local headers"));
        } catch (ZipException e) {
            // java.util.zip refuses encrypted entries outright ("encrypted ZIP entry not supported")
            if (String.valueOf(e.getMessage()).contains("encrypted")) {
                encrypted(label);
            } else {
                findings.add(Kind.DAMAGED, label + ": archive cannot be read (" + why + "; " + e.getMessage() + ")");
            }
        } catch (IOException | RuntimeException e) {
            findings.add(Kind.DAMAGED, label + ": archive cannot be read (" + why + "; " + e.getMessage() + ")");
        }
    }
}
