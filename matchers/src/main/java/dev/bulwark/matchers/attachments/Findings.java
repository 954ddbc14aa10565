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
        if (!list.contains(text)) {
            list.add(text);
        }
    }

    /** A limit hit: recorded once however often it is hit. */
    void limit(String what) {
        if (limitsHit.add(what)) {
            add(Kind.UNINSPECTABLE, what);
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
        return new AttachmentInspector.Report(banned, suspicious, delivered);
    }
}
