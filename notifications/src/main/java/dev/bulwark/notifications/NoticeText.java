package dev.bulwark.notifications;

/**
 * Text from a mail (its subject, sender, names) as a notice shows it: on one line, so that no mail can
 * add lines to a notice sent in the postmaster's name; at most {@link #MAX} characters; control
 * characters, bidirectional overrides and other invisible format characters replaced by U+FFFD, so that
 * nothing can reorder or hide what the reader sees.
 */
public final class NoticeText {
    /** Characters (code points) kept of one value. */
    public static final int MAX = 200;
    private static final int REPLACEMENT = 0xFFFD;

    private NoticeText() {
    }

    public static String oneLine(String text) {
        return oneLine(text, MAX);
    }

    public static String oneLine(String text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 1);
        int kept = 0;
        boolean space = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (isBreak(c) || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = true;
                continue;
            }
            if (kept >= max) {
                out.append('\u2026');
                return out.toString().strip();
            }
            if (space && out.length() > 0) {
                out.append(' ');
                kept++;
            }
            space = false;
            out.appendCodePoint(unsafe(c) ? REPLACEMENT : c);
            kept++;
        }
        return out.toString();
    }

    private static boolean isBreak(int c) {
        return c == '\r' || c == '\n' || c == 0x0b || c == 0x0c || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    /** C0 and C1 controls, DEL, format characters (bidi overrides and isolates, zero-width), unassigned and lone surrogates. */
    private static boolean unsafe(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.SURROGATE
            || type == Character.PRIVATE_USE;
    }
}
