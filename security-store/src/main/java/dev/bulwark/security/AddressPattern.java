package dev.bulwark.security;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An address, a domain or a wildcard that sender lists and groups match mail addresses against,
 * case-insensitive: {@code user@example.com}, {@code @example.com} or {@code example.com} (the whole
 * domain), {@code *@*.example.com} (subdomains), {@code news-*@example.com}. {@code *} matches any
 * characters; nothing else is special. Stored in its normal form: lower case, a bare domain as {@code @domain}.
 */
public record AddressPattern(String value) {
    private static final Pattern ALLOWED = Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~.@-]{1,320}");

    public AddressPattern {
        if (value == null || !ALLOWED.matcher(value).matches() || value.indexOf('@') != value.lastIndexOf('@')
            || value.chars().allMatch(c -> c == '*' || c == '@' || c == '.')) {
            throw new IllegalArgumentException("'" + printable(value) + "' is not an address pattern: expected user@domain, "
                + "@domain, domain, or a wildcard such as *@*.example.com");
        }
    }

    public static AddressPattern parse(String text) {
        String normal = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (!normal.contains("@") && !normal.isEmpty()) {
            normal = "@" + normal;
        }
        return new AddressPattern(normal);
    }

    public boolean matches(String address) {
        String candidate = address.toLowerCase(Locale.ROOT);
        String pattern = value.startsWith("@") ? "*" + value : value;
        return glob(pattern, candidate);
    }

    /** {@code *} matches any run of characters; iterative, so no pattern can make it slow. */
    private static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return value;
    }

    private static String printable(String value) {
        if (value == null) {
            return "";
        }
        String shown = value.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 80 ? shown.substring(0, 80) + "..." : shown;
    }
}
