package dev.bulwark.mailets;

/** Makes scanner output safe to put in a header: one line, printable ASCII, bounded length. */
final class HeaderText {
    private static final int MAX = 400;

    private HeaderText() {
    }

    static String of(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(MAX).forEach(c -> out.append(c < 0x20 || c > 0x7e ? '?' : (char) c));
        return out.toString();
    }
}
