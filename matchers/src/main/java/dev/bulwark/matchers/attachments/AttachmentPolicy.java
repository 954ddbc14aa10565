package dev.bulwark.matchers;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What HasBannedAttachment bans, parsed from its condition:
 * {@code extensions:exe,scr;types:application/x-msdownload;archives:true;encrypted:true;unreadable:false}.
 * Every key is optional; a missing key keeps its default.
 *
 * @param extensions file-name extensions, lower case, without the dot
 * @param types      MIME types detected from the bytes (base type, lower case)
 * @param archives   look inside zip archives (names and bytes of their entries, nested zips)
 * @param encrypted  ban encrypted archives (their content cannot be scanned)
 * @param unreadable ban attachments that could not be inspected (archives that cannot be read, are over the
 *                   limits or in a format other than zip); without it they are only recorded
 */
public record AttachmentPolicy(Set<String> extensions, Set<String> types, boolean archives, boolean encrypted, boolean unreadable) {
    public static final Set<String> DEFAULT_EXTENSIONS = Set.of("exe", "com", "bat", "cmd", "scr", "pif", "vbs", "vbe", "js", "jse",
        "wsf", "wsh", "msi", "msp", "hta", "cpl", "jar", "ps1", "lnk", "reg", "dll", "sys",
        // disk images and other containers Windows opens with a double click (mark-of-the-web bypasses), consoles, add-ins
        "iso", "img", "vhd", "vhdx", "msc", "scf", "sct", "wsc", "xll", "jnlp", "appx", "msix");
    public static final Set<String> DEFAULT_TYPES = Set.of("application/x-msdownload", "application/x-dosexec", "application/x-executable",
        "application/x-sharedlib", "application/x-elf", "application/x-ms-installer");
    public static final AttachmentPolicy DEFAULT = new AttachmentPolicy(DEFAULT_EXTENSIONS, DEFAULT_TYPES, true, true, false);

    public AttachmentPolicy {
        extensions = Set.copyOf(extensions);
        types = Set.copyOf(types);
    }

    /** @throws IllegalArgumentException with what was wrong and what is expected */
    public static AttachmentPolicy parse(String condition) {
        if (condition == null || condition.isBlank()) {
            return DEFAULT;
        }
        Map<String, String> values = new TreeMap<>();
        Set<String> known = Set.of("extensions", "types", "archives", "encrypted", "unreadable");
        for (String item : condition.split(";")) {
            if (item.isBlank()) {
                continue;
            }
            int colon = item.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + item.trim() + "' is not key:value");
            }
            String key = item.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "', expected extensions, types, archives, encrypted or unreadable");
            }
            if (values.put(key, item.substring(colon + 1).trim()) != null) {
                throw new IllegalArgumentException("'" + key + "' is given twice");
            }
        }
        if ("false".equalsIgnoreCase(values.get("archives"))) {
            for (String needsArchives : new String[] {"encrypted", "unreadable"}) {
                if ("true".equalsIgnoreCase(values.get(needsArchives))) {
                    throw new IllegalArgumentException(needsArchives + ":true needs archives:true (archives are not opened)");
                }
            }
        }
        return new AttachmentPolicy(
            values.containsKey("extensions") ? list(values.get("extensions"), "[a-z0-9]{1,16}", "extensions") : DEFAULT.extensions(),
            values.containsKey("types") ? list(values.get("types"), "[a-z0-9.+-]+/[a-z0-9.+-]+", "types") : DEFAULT.types(),
            bool(values, "archives", DEFAULT.archives()),
            bool(values, "encrypted", DEFAULT.encrypted()),
            bool(values, "unreadable", DEFAULT.unreadable()));
    }

    private static Set<String> list(String value, String pattern, String key) {
        Set<String> items = new LinkedHashSet<>();
        for (String item : Arrays.stream(value.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT).replaceFirst("^\\.", "")).toList()) {
            if (item.isEmpty()) {
                continue;
            }
            if (!item.matches(pattern)) {
                throw new IllegalArgumentException(key + " has '" + item + "'");
            }
            items.add(item);
        }
        return items;
    }

    private static boolean bool(Map<String, String> values, String key, boolean defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " is '" + value + "', expected true or false");
        };
    }
}
