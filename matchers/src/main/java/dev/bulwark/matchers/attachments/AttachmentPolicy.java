package dev.bulwark.matchers.attachments;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What HasBannedAttachment bans, parsed from its condition:
 * {@code extensions:exe,scr;types:application/x-msdownload;archives:true;encrypted:ban;uninspectable:ban;damaged:suspicious;unopened:deliver}.
 * Every key is optional; a missing key keeps its default.
 *
 * @param extensions    file-name extensions, lower case, without the dot
 * @param types         MIME types detected from the bytes (base type, lower case)
 * @param archives      look inside archives (zip: names and bytes of entries, nested zips; RAR and 7z: names
 *                      and encryption)
 * @param encrypted     what to do with encrypted archives (their content cannot be scanned); default ban
 * @param uninspectable what to do with mail that has a part the check cannot inspect (MIME that does not
 *                      parse, or parses differently for James's parser, a limit hit, an undecodable body);
 *                      default ban
 * @param damaged       what to do with archives that cannot be read (truncated, corrupt); default suspicious
 * @param unopened      what to do with archive formats whose content Bulwark does not open (tar, gzip, cab,
 *                      ISO, the content of RAR and 7z: clamd scans them); default deliver
 * @param maxArchiveDepth archives nested deeper than this are banned (a runtime policy's {@code banned.archives.maxDepth});
 *                      {@link Integer#MAX_VALUE}: none, only the check's own limit (deeper than 4: uninspectable)
 */
public record AttachmentPolicy(Set<String> extensions, Set<String> types, boolean archives, Action encrypted, Action uninspectable,
                               Action damaged, Action unopened, int maxArchiveDepth) {
    public static final Set<String> DEFAULT_EXTENSIONS = Set.of("exe", "com", "bat", "cmd", "scr", "pif", "vbs", "vbe", "js", "jse",
        "wsf", "wsh", "msi", "msp", "hta", "cpl", "jar", "ps1", "lnk", "reg", "dll", "sys",
        // disk images and other containers Windows opens with a double click (mark-of-the-web bypasses), consoles, add-ins
        "iso", "img", "vhd", "vhdx", "msc", "scf", "sct", "wsc", "xll", "jnlp", "appx", "msix");
    public static final Set<String> DEFAULT_TYPES = Set.of("application/x-msdownload", "application/x-dosexec", "application/x-executable",
        "application/x-sharedlib", "application/x-elf", "application/x-ms-installer");
    public static final AttachmentPolicy DEFAULT = new AttachmentPolicy(DEFAULT_EXTENSIONS, DEFAULT_TYPES, true, Action.BAN, Action.BAN,
        Action.SUSPICIOUS, Action.DELIVER);
    private static final Set<String> KEYS = Set.of("extensions", "types", "archives", "encrypted", "uninspectable", "damaged", "unopened");

    /** What happens to mail with a finding of one kind. */
    public enum Action {
        /** The mail is quarantined as {@code banned}. */
        BAN,
        /** The mail is quarantined as {@code suspicious}. */
        SUSPICIOUS,
        /** The mail goes on; the finding is recorded in {@code bulwark.banned.uninspected}. */
        DELIVER;

        public String asString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AttachmentPolicy {
        extensions = Set.copyOf(extensions);
        types = Set.copyOf(types);
    }

    /** Without a depth of its own: the check's own limit. */
    public AttachmentPolicy(Set<String> extensions, Set<String> types, boolean archives, Action encrypted, Action uninspectable,
                            Action damaged, Action unopened) {
        this(extensions, types, archives, encrypted, uninspectable, damaged, unopened, Integer.MAX_VALUE);
    }

    /**
     * These rules with a runtime policy's (docs/policy.md) on top: its extensions and types banned too; encrypted
     * archives delivered when it does not ban them (when it does, this condition's action stays); archives nested deeper
     * than its {@code maxDepth} banned, when that is below the check's own limit; its {@code allowExtensions} no longer
     * banned by name (the condition's and its own extensions alike; the real-type check still looks at the bytes).
     */
    public AttachmentPolicy with(dev.bulwark.security.policy.Policy.Banned banned) {
        // A depth the check's own limit already enforces (uninspectable beyond it) changes nothing.
        int depth = archives && banned.maxArchiveDepth() < AttachmentInspector.MAX_ARCHIVE_DEPTH
            ? Math.min(banned.maxArchiveDepth(), maxArchiveDepth) : maxArchiveDepth;
        if (banned.extensions().isEmpty() && banned.types().isEmpty() && banned.encryptedArchives() && depth == maxArchiveDepth
            && banned.allowExtensions().isEmpty()) {
            return this;
        }
        Set<String> allExtensions = new LinkedHashSet<>(extensions);
        banned.extensions().forEach(extension -> allExtensions.add(extension.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "")));
        banned.allowExtensions().forEach(extension -> allExtensions.remove(extension.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "")));
        Set<String> allTypes = new LinkedHashSet<>(types);
        banned.types().forEach(type -> allTypes.add(type.toLowerCase(Locale.ROOT)));
        return new AttachmentPolicy(allExtensions, allTypes, archives, banned.encryptedArchives() ? encrypted : Action.DELIVER, uninspectable,
            damaged, unopened, depth);
    }

    /** @throws IllegalArgumentException with what was wrong and what is expected */
    public static AttachmentPolicy parse(String condition) {
        if (condition == null || condition.isBlank()) {
            return DEFAULT;
        }
        Map<String, String> values = new TreeMap<>();
        for (String item : condition.split(";")) {
            if (item.isBlank()) {
                continue;
            }
            int colon = item.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + item.trim() + "' is not key:value");
            }
            String key = item.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (key.equals("unreadable")) {
                throw new IllegalArgumentException("'unreadable' is now 'uninspectable' (MIME parts and limits) and 'damaged' (archives),"
                    + " each ban, suspicious or deliver");
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "', expected one of " + String.join(", ", new java.util.TreeSet<>(KEYS)));
            }
            if (values.put(key, item.substring(colon + 1).trim()) != null) {
                throw new IllegalArgumentException("'" + key + "' is given twice");
            }
        }
        if ("false".equalsIgnoreCase(values.get("archives"))) {
            for (String needsArchives : new String[] {"encrypted", "damaged", "unopened"}) {
                if (values.containsKey(needsArchives)) {
                    throw new IllegalArgumentException(needsArchives + " needs archives:true (archives are not opened)");
                }
            }
        }
        return new AttachmentPolicy(
            values.containsKey("extensions") ? list(values.get("extensions"), "[a-z0-9]{1,16}", "extensions") : DEFAULT.extensions(),
            values.containsKey("types") ? list(values.get("types"), "[a-z0-9.+-]+/[a-z0-9.+-]+", "types") : DEFAULT.types(),
            bool(values, "archives", DEFAULT.archives()),
            action(values, "encrypted", DEFAULT.encrypted()),
            action(values, "uninspectable", DEFAULT.uninspectable()),
            action(values, "damaged", DEFAULT.damaged()),
            action(values, "unopened", DEFAULT.unopened()));
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

    private static Action action(Map<String, String> values, String key, Action defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "ban" -> Action.BAN;
            case "suspicious" -> Action.SUSPICIOUS;
            case "deliver" -> Action.DELIVER;
            default -> throw new IllegalArgumentException(key + " is '" + value + "', expected ban, suspicious or deliver");
        };
    }
}
