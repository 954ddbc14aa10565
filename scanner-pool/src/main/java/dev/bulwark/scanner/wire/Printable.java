package dev.bulwark.scanner.wire;

/** Keeps daemon replies quotable in logs and headers whatever bytes a broken daemon sent. */
public final class Printable {
    private Printable() {
    }

    /** The first 200 code points of {@code text}, each unprintable one replaced by {@code ?}. */
    public static String of(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(200).forEach(c -> {
            if (isUnprintable(c)) {
                out.append('?');
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** C0, DEL and C1 controls, format characters (bidi overrides...), and code points with no character. */
    public static boolean isUnprintable(int codePoint) {
        return Character.isISOControl(codePoint)
            || Character.getType(codePoint) == Character.FORMAT
            || !Character.isDefined(codePoint)
            || Character.getType(codePoint) == Character.SURROGATE;
    }
}
