package dev.bulwark.matchers.attachments;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one inspection found, sorted by what the policy does with each kind of finding, and what is left
 * of its limits (parts, archive entries, bytes inflated or held, attached messages).
 */
final class Findings {
    /** Kinds of finding; each but BANNED has its own action in the policy. */
    enum Kind {
        /** A banned name, type or bomb: always banned. */
        BANNED,
        ENCRYPTED,
        /** A part that cannot be inspected (does not parse, parses differently, a limit hit). */
        UNINSPECTABLE,
        /** An archive that cannot be read. */
        DAMAGED,
        /** An archive format whose content is not opened here. */
        UNOPENED
    }

    private final AttachmentPolicy policy;
    private final List<String> banned = new ArrayList<>();
    private final List<String> suspicious = new ArrayList<>();
    private final List<String> delivered = new ArrayList<>();
    private final Located bannedParts = new Located();
    private final Located suspiciousParts = new Located();
    /** The part of the mail (its section, e.g. "2.1") the findings being made are in; empty: the message as a whole. */
    private java.util.Optional<String> locus = java.util.Optional.empty();
    private final Set<String> limitsHit = new LinkedHashSet<>();
    private int parts;
    private int entries;
    private long used;
    private int attachedMessages;

    Findings(AttachmentPolicy policy) {
        this.policy = policy;
    }

    void add(Kind kind, String what) {
        String text = switch (kind) {
            case UNINSPECTABLE -> "uninspectable: " + what;
            case DAMAGED -> "damaged: " + what;
            default -> what;
        };
        AttachmentPolicy.Action action = switch (kind) {
            case BANNED -> AttachmentPolicy.Action.BAN;
            case ENCRYPTED -> policy.encrypted();
            case UNINSPECTABLE -> policy.uninspectable();
            case DAMAGED -> policy.damaged();
            case UNOPENED -> policy.unopened();
        };
        List<String> list = switch (action) {
            case BAN -> banned;
            case SUSPICIOUS -> suspicious;
            case DELIVER -> delivered;
        };
        boolean known = list.contains(text);
        if (!known) {
            list.add(text);
        }
        // Found again outside any part (James's parser reads the same names again): where it is is known already.
        if (known && locus.isEmpty()) {
            return;
        }
        switch (action) {
            case BAN -> bannedParts.add(locus);
            case SUSPICIOUS -> suspiciousParts.add(locus);
            case DELIVER -> { }
        }
    }

    /** The part of the mail findings are in from now on (empty: not one part that could be removed on its own). */
    java.util.Optional<String> locate(java.util.Optional<String> section) {
        java.util.Optional<String> before = locus;
        locus = section;
        return before;
    }

    /** The parts findings were made in; incomplete when one was not in a part that can be removed on its own. */
    private static final class Located {
        private final Set<String> sections = new LinkedHashSet<>();
        private boolean complete = true;

        void add(java.util.Optional<String> section) {
            section.ifPresentOrElse(sections::add, () -> complete = false);
        }

        java.util.Optional<List<String>> parts() {
            return complete ? java.util.Optional.of(List.copyOf(sections)) : java.util.Optional.empty();
        }
    }

    /** A limit hit: recorded once however often it is hit. */
    void limit(String what) {
        if (limitsHit.add(what)) {
            // Parts past a limit are not walked at all, wherever it was hit: no one part holds what they are.
            java.util.Optional<String> at = locate(java.util.Optional.empty());
            add(Kind.UNINSPECTABLE, what);
            locate(at);
        }
    }

    boolean nextPart(int max) {
        return ++parts <= max;
    }

    boolean nextEntry(int max) {
        return ++entries <= max;
    }

    boolean nextAttachedMessage(int max) {
        return ++attachedMessages <= max;
    }

    /** Bytes still allowed to be inflated or held for inspection. */
    long budget() {
        return Math.max(0, AttachmentInspector.MAX_ARCHIVE_BYTES - used);
    }

    void use(long bytes) {
        used += bytes;
    }

    AttachmentInspector.Report report() {
        return new AttachmentInspector.Report(banned, suspicious, delivered, bannedParts.parts(), suspiciousParts.parts());
    }
}
