package dev.bulwark.security;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Text that came with a mail (file names, subjects, addresses, header names, virus names, scanner
 * replies) made safe for one log line: line breaks, other control characters (ANSI escape sequences
 * included), bidirectional overrides and other invisible format characters are written as escapes
 * (a line feed as backslash-n, the right-to-left override as backslash-u202e), backslashes doubled, so
 * that no mail can start a forged log line, recolour a terminal or reorder what an administrator reads;
 * and the text is capped.
 */
public final class LogText {
    /** Characters kept of one value; longer values end with a note of how much was cut. */
    public static final int MAX = 1000;

    private LogText() {
    }

    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX) + 16);
        int kept = 0;
        for (int i = 0; i < text.length(); i++) {
            if (kept >= MAX) {
                out.append("...(").append(text.length() - i).append(" more)");
                break;
            }
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                int codePoint = text.codePointAt(i);
                int type = Character.getType(codePoint);
                if (type == Character.FORMAT || type == Character.UNASSIGNED) {
                    out.append(String.format("\\u%04x\\u%04x", (int) c, (int) text.charAt(i + 1)));
                } else {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                kept++;
                continue;
            }
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (unsafe(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
            kept++;
        }
        return out.toString();
    }

    /** A value of any kind, by its text. */
    public static String of(Object value) {
        if (value instanceof Collection<?> values) {
            return values.stream().map(v -> of(String.valueOf(v))).collect(Collectors.joining(", ", "[", "]"));
        }
        return of(value == null ? null : String.valueOf(value));
    }

    /**
     * C0 and C1 controls, DEL, format characters (bidi overrides, zero-width), line and paragraph
     * separators, unassigned code points, and surrogates not part of a pair.
     */
    static boolean unsafe(char c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
            || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED;
    }
}
