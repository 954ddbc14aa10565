package dev.bulwark.security.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Policy documents as JSON: the default (complete) and group overrides (only the fields the group changes,
 * plus its {@code priority}). Every field is checked, and every wrong one is reported by its path; a group
 * override is checked on its own (no unknown field, no field of the wrong kind) and merged over the
 * default, where the merged whole must be valid too (a group's {@code spam.quarantineAt} must still be
 * above the default's {@code spam.tagAt} it inherits).
 */
public final class PolicyDocuments {
    public static final String PRIORITY = "priority";
    private static final String OUTBREAK = "outbreak";
    private static final String OUTBREAK_DEFAULT_ONLY = "set in the default policy only; outbreaks are counted for all mail";
    static final int MAX_PRIORITY = 1000;
    /** Levels of objects and lists a document may have: a policy needs 3 (banned.archives), an export of one 5. */
    static final int MAX_DEPTH = 10;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final double MIN_SCORE = -1000;
    private static final double MAX_SCORE = 10_000;
    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,16}");
    private static final Pattern MIME_TYPE = Pattern.compile("[a-z0-9][a-z0-9.+-]*/[a-z0-9*][a-z0-9.+*-]*");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(s|m|h|d)");
    private static final Set<String> LANGUAGES = Set.of("en", "de");
    /** The longest list item (a MIME type) a policy keeps. */
    private static final int MAX_ITEM = 127;

    /** The fields a document may have: an object's known members, or null for a value. */
    private static final Map<String, Object> SHAPE = shape();

    private PolicyDocuments() {
    }

    private static Map<String, Object> shape() {
        Map<String, Object> actions = new java.util.LinkedHashMap<>();
        for (PolicyVerdict verdict : PolicyVerdict.values()) {
            actions.put(verdict.field(), null);
        }
        actions.put("allowUnscannedDelivery", null);
        Map<String, Object> shape = new java.util.LinkedHashMap<>();
        shape.put("actions", actions);
        shape.put("spam", values("tagAt", "quarantineAt", "rejectAt", "subjectTag"));
        shape.put("notices", values("admin", "sender", "recipients"));
        Map<String, Object> banned = values("extensions", "allowExtensions", "types");
        banned.put("archives", values("encrypted", "maxDepth"));
        shape.put("banned", banned);
        shape.put("outbreak", values("mode", "perVirus", "total", "window"));
        shape.put("language", null);
        return shape;
    }

    private static Map<String, Object> values(String... names) {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        for (String name : names) {
            values.put(name, null);
        }
        return values;
    }

    /**
     * Reads a JSON text into a document, or says why it is not one. A document nested deeper than a policy can be
     * is refused before its tree is built: merging and copying recurse, and Jackson 2.14 (James's) sets no limit.
     */
    public static ObjectNode read(String json) {
        String text = json == null ? "" : json;
        try {
            refuseDeepNesting(text);
            JsonNode node = MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                throw invalid("(document)", "must be a JSON object");
            }
            return (ObjectNode) node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalid("(document)", "is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a String has no I/O to fail
        }
    }

    /** Counts the depth token by token, without recursion, so that no depth can overflow the stack here. */
    private static void refuseDeepNesting(String json) throws java.io.IOException {
        try (com.fasterxml.jackson.core.JsonParser parser = MAPPER.getFactory().createParser(json)) {
            int depth = 0;
            for (com.fasterxml.jackson.core.JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isStructStart() && ++depth > MAX_DEPTH) {
                    throw invalid("(document)", "is nested too deeply: a policy has at most " + MAX_DEPTH + " levels of objects and lists");
                }
                if (token.isStructEnd()) {
                    depth--;
                }
            }
        }
    }

    public static String write(JsonNode document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Validates the default policy, complete: every field present and within bounds. */
    public static Policy parseDefault(JsonNode document) {
        List<InvalidPolicyException.FieldError> errors = new ArrayList<>();
        checkShape(document, SHAPE, "", errors, true);
        if (document.has(PRIORITY)) {
            errors.add(new InvalidPolicyException.FieldError(PRIORITY, "only a group's policy has a priority"));
        }
        return parse(document, "", errors);
    }

    /**
     * Validates a group's override over the default: its own fields (and {@code priority}, an integer from
     * 0 to 1000, 0 when missing), then the merged whole, with every error's path prefixed by {@code prefix}.
     */
    public static GroupPolicy parseOverride(JsonNode override, JsonNode defaultDocument, String prefix) {
        List<InvalidPolicyException.FieldError> errors = new ArrayList<>();
        if (!override.isObject()) {
            throw invalid(prefix.isEmpty() ? "(document)" : prefix.substring(0, prefix.length() - 1), "must be a JSON object");
        }
        checkShape(override, SHAPE, prefix, errors, true);
        refuseOutbreak(override, prefix, errors);
        int priority = 0;
        JsonNode given = override.get(PRIORITY);
        if (given != null) {
            if (!given.canConvertToInt() || !given.isIntegralNumber() || given.intValue() < 0 || given.intValue() > MAX_PRIORITY) {
                errors.add(new InvalidPolicyException.FieldError(prefix + PRIORITY, "must be an integer from 0 to " + MAX_PRIORITY));
            } else {
                priority = given.intValue();
            }
        }
        // An object where a value belongs (or the reverse) would make the merged whole report every field under it again.
        if (errors.stream().anyMatch(error -> error.message().startsWith("must be an object"))) {
            throw new InvalidPolicyException(errors);
        }
        ObjectNode merged = merge(defaultDocument, override);
        merged.remove(PRIORITY);
        return new GroupPolicy(priority, parse(merged, prefix, errors), override.deepCopy());
    }

    /**
     * Outbreaks are counted per node over all mail, whoever it is for, so their settings have one place: the default
     * policy. A group's {@code outbreak.*} is refused, field by field, rather than silently ignored.
     */
    @SuppressWarnings("unchecked")
    private static void refuseOutbreak(JsonNode override, String prefix, List<InvalidPolicyException.FieldError> errors) {
        JsonNode outbreak = override.get(OUTBREAK);
        if (outbreak == null || !outbreak.isObject()) {
            return; // not an object: checkShape reported it
        }
        List<String> fields = ((Map<String, Object>) SHAPE.get(OUTBREAK)).keySet().stream().filter(outbreak::has).toList();
        if (fields.isEmpty()) {
            errors.add(new InvalidPolicyException.FieldError(prefix + OUTBREAK, OUTBREAK_DEFAULT_ONLY));
        }
        fields.forEach(field -> errors.add(new InvalidPolicyException.FieldError(prefix + OUTBREAK + "." + field, OUTBREAK_DEFAULT_ONLY)));
    }

    /** A group's policy: its priority, the merged policy and the override as stored. */
    public record GroupPolicy(int priority, Policy policy, JsonNode override) {
    }

    /** {@code base} with {@code override}'s fields over it, objects merged member by member. */
    public static ObjectNode merge(JsonNode base, JsonNode override) {
        ObjectNode merged = base.deepCopy();
        Iterator<Map.Entry<String, JsonNode>> fields = override.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode existing = merged.get(field.getKey());
            if (existing != null && existing.isObject() && field.getValue().isObject()) {
                merged.set(field.getKey(), merge(existing, field.getValue()));
            } else {
                merged.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return merged;
    }

    /** The complete document of a policy, as GET returns it and an import takes it. */
    public static ObjectNode render(Policy policy) {
        ObjectNode document = NODES.objectNode();
        ObjectNode actions = document.putObject("actions");
        for (PolicyVerdict verdict : PolicyVerdict.values()) {
            actions.put(verdict.field(), policy.action(verdict).asString());
        }
        actions.put("allowUnscannedDelivery", policy.allowUnscannedDelivery());
        ObjectNode spam = document.putObject("spam");
        spam.put("tagAt", policy.spam().tagAt());
        policy.spam().quarantineAt().ifPresentOrElse(at -> spam.put("quarantineAt", at), () -> spam.putNull("quarantineAt"));
        policy.spam().rejectAt().ifPresentOrElse(at -> spam.put("rejectAt", at), () -> spam.putNull("rejectAt"));
        spam.put("subjectTag", policy.spam().subjectTag());
        ObjectNode notices = document.putObject("notices");
        notices.put("admin", policy.notices().admin());
        notices.put("sender", policy.notices().sender());
        notices.put("recipients", policy.notices().recipients());
        ObjectNode banned = document.putObject("banned");
        ArrayNode extensions = banned.putArray("extensions");
        policy.banned().extensions().forEach(extensions::add);
        ArrayNode allowExtensions = banned.putArray("allowExtensions");
        policy.banned().allowExtensions().forEach(allowExtensions::add);
        ArrayNode types = banned.putArray("types");
        policy.banned().types().forEach(types::add);
        ObjectNode archives = banned.putObject("archives");
        archives.put("encrypted", policy.banned().encryptedArchives());
        archives.put("maxDepth", policy.banned().maxArchiveDepth());
        ObjectNode outbreak = document.putObject("outbreak");
        outbreak.put("mode", policy.outbreak().mode().asString());
        outbreak.put("perVirus", policy.outbreak().perVirus());
        outbreak.put("total", policy.outbreak().total());
        outbreak.put("window", duration(policy.outbreak().window()));
        document.put("language", policy.language());
        return document;
    }

    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    @SuppressWarnings("unchecked")
    private static void checkShape(JsonNode node, Map<String, Object> shape, String prefix, List<InvalidPolicyException.FieldError> errors,
                                   boolean top) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (top && name.equals(PRIORITY)) {
                continue; // checked by the caller: a group's only, from 0 to MAX_PRIORITY
            }
            if (!shape.containsKey(name)) {
                errors.add(new InvalidPolicyException.FieldError(prefix + name, "is not a policy field, expected one of " + shape.keySet()));
                continue;
            }
            Object inner = shape.get(name);
            if (inner != null) {
                JsonNode value = node.get(name);
                if (!value.isObject()) {
                    errors.add(new InvalidPolicyException.FieldError(prefix + name, "must be an object with " + ((Map<String, Object>) inner).keySet()));
                } else {
                    checkShape(value, (Map<String, Object>) inner, prefix + name + ".", errors, false);
                }
            }
        }
    }

    /** Reads a complete document into a policy, collecting every error; throws when there is any. */
    private static Policy parse(JsonNode document, String prefix, List<InvalidPolicyException.FieldError> errors) {
        Fields fields = new Fields(document, prefix, errors);
        Map<PolicyVerdict, PolicyAction> actions = new EnumMap<>(PolicyVerdict.class);
        boolean allowUnscanned = fields.bool("actions.allowUnscannedDelivery");
        for (PolicyVerdict verdict : PolicyVerdict.values()) {
            String path = "actions." + verdict.field();
            fields.text(path).ifPresent(value -> {
                Optional<PolicyAction> action = PolicyAction.parse(value);
                if (action.isEmpty()) {
                    fields.error(path, "'" + printable(value) + "' is not an action, expected one of " + PolicyAction.names());
                } else if (!verdict.allowed().contains(action.get())) {
                    fields.error(path, "'" + value + "' is not allowed for " + verdict.field() + ", expected one of "
                        + verdict.allowed().stream().map(PolicyAction::asString).toList());
                } else if (verdict.unscanned() && action.get() == PolicyAction.DELIVER_TAGGED && !allowUnscanned) {
                    fields.error(path, "deliver-tagged delivers mail nobody scanned: set actions.allowUnscannedDelivery to true to allow it");
                } else {
                    actions.put(verdict, action.get());
                }
            });
        }
        Optional<Double> tagAt = fields.score("spam.tagAt", false);
        Optional<Double> quarantineAt = fields.score("spam.quarantineAt", true);
        Optional<Double> rejectAt = fields.score("spam.rejectAt", true);
        if (tagAt.isPresent() && quarantineAt.isPresent() && quarantineAt.get() <= tagAt.get()) {
            fields.error("spam.quarantineAt", "must be a number above spam.tagAt (" + tagAt.get() + ")");
        }
        if (rejectAt.isPresent() && quarantineAt.isPresent() && rejectAt.get() <= quarantineAt.get()) {
            fields.error("spam.rejectAt", "must be a number above spam.quarantineAt (" + quarantineAt.get() + ")");
        } else if (rejectAt.isPresent() && tagAt.isPresent() && rejectAt.get() <= tagAt.get()) {
            fields.error("spam.rejectAt", "must be a number above spam.tagAt (" + tagAt.get() + ")");
        }
        Optional<String> subjectTag = fields.text("spam.subjectTag");
        subjectTag.filter(tag -> tag.length() > 40 || tag.chars().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) || !tag.equals(tag.strip()))
            .ifPresent(tag -> fields.error("spam.subjectTag", "must be at most 40 characters, without control or format (bidi) characters or surrounding spaces"));
        Policy.Notices notices = new Policy.Notices(fields.bool("notices.admin"), fields.bool("notices.sender"), fields.bool("notices.recipients"));
        List<String> extensions = fields.list("banned.extensions", EXTENSION, "a file name extension without its dot: 1 to 16 lower-case letters or digits");
        // Optional: policies stored before it existed have none, and lift nothing.
        List<String> allowExtensions = fields.has("banned.allowExtensions")
            ? fields.list("banned.allowExtensions", EXTENSION, "a file name extension without its dot: 1 to 16 lower-case letters or digits")
            : List.of();
        List<String> types = fields.list("banned.types", MIME_TYPE,
            "a lower-case MIME type of at most " + MAX_ITEM + " characters such as application/x-msdownload or application/*");
        boolean encryptedArchives = fields.bool("banned.archives.encrypted");
        int maxDepth = fields.integer("banned.archives.maxDepth", 1, 20);
        Optional<Policy.OutbreakMode> mode = fields.text("outbreak.mode").flatMap(value -> {
            Optional<Policy.OutbreakMode> parsed = Policy.OutbreakMode.parse(value);
            if (parsed.isEmpty()) {
                fields.error("outbreak.mode", "'" + printable(value) + "' is not a mode, expected one of [notify, log, quarantine]");
            }
            return parsed;
        });
        int perVirus = fields.integer("outbreak.perVirus", 1, 1_000_000);
        int total = fields.integer("outbreak.total", 1, 1_000_000);
        if (perVirus > 0 && total > 0 && total < perVirus) {
            fields.error("outbreak.total", "must be at least outbreak.perVirus (" + perVirus + ")");
        }
        Optional<Duration> window = fields.text("outbreak.window").flatMap(value -> {
            Matcher matcher = DURATION.matcher(value);
            Duration parsed = matcher.matches() ? duration(Long.parseLong(matcher.group(1)), matcher.group(2)) : Duration.ZERO;
            if (parsed.isZero() || parsed.compareTo(Duration.ofDays(7)) > 0) {
                fields.error("outbreak.window", "'" + printable(value) + "' is not a duration from 1s to 7d, e.g. 10m, 1h");
                return Optional.empty();
            }
            return Optional.of(parsed);
        });
        Optional<String> language = fields.text("language");
        language.filter(value -> !LANGUAGES.contains(value))
            .ifPresent(value -> fields.error("language", "'" + printable(value) + "' has no notice templates, expected one of " + new java.util.TreeSet<>(LANGUAGES)));
        if (!errors.isEmpty()) {
            throw new InvalidPolicyException(errors);
        }
        return new Policy(actions, allowUnscanned, new Policy.Spam(tagAt.orElseThrow(), quarantineAt, rejectAt, subjectTag.orElseThrow()), notices,
            new Policy.Banned(extensions, types, encryptedArchives, maxDepth, allowExtensions), new Policy.Outbreak(mode.orElseThrow(), perVirus, total, window.orElseThrow()),
            language.orElseThrow());
    }

    private static Duration duration(long amount, String unit) {
        return switch (unit) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    static String printable(String value) {
        String cut = value.length() > 60 ? value.substring(0, 60) + "..." : value;
        return cut.replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
    }

    private static InvalidPolicyException invalid(String field, String message) {
        return new InvalidPolicyException(List.of(new InvalidPolicyException.FieldError(field, message)));
    }

    /** Typed reads of a document's fields by path, each wrong or missing one reported once. */
    private static final class Fields {
        private final JsonNode document;
        private final String prefix;
        private final List<InvalidPolicyException.FieldError> errors;

        Fields(JsonNode document, String prefix, List<InvalidPolicyException.FieldError> errors) {
            this.document = document;
            this.prefix = prefix;
            this.errors = errors;
        }

        void error(String path, String message) {
            String field = prefix + path;
            if (errors.stream().noneMatch(error -> error.field().equals(field))) {
                errors.add(new InvalidPolicyException.FieldError(field, message));
            }
        }

        private Optional<JsonNode> node(String path) {
            JsonNode node = document;
            for (String part : path.split("\\.")) {
                node = node == null || !node.isObject() ? null : node.get(part);
            }
            return Optional.ofNullable(node);
        }

        boolean has(String path) {
            return node(path).isPresent();
        }

        Optional<String> text(String path) {
            Optional<JsonNode> node = node(path);
            if (node.isEmpty() || !node.get().isTextual()) {
                error(path, node.isEmpty() ? "is missing: a text is expected" : "must be a text");
                return Optional.empty();
            }
            return Optional.of(node.get().textValue());
        }

        boolean bool(String path) {
            Optional<JsonNode> node = node(path);
            if (node.isEmpty() || !node.get().isBoolean()) {
                error(path, node.isEmpty() ? "is missing: true or false is expected" : "must be true or false");
                return false;
            }
            return node.get().booleanValue();
        }

        int integer(String path, int min, int max) {
            Optional<JsonNode> node = node(path);
            if (node.isEmpty() || !node.get().isIntegralNumber() || !node.get().canConvertToInt() || node.get().intValue() < min
                || node.get().intValue() > max) {
                error(path, "must be an integer from " + min + " to " + max);
                return 0;
            }
            return node.get().intValue();
        }

        Optional<Double> score(String path, boolean nullable) {
            Optional<JsonNode> node = node(path);
            if (nullable && (node.isEmpty() || node.get().isNull())) {
                return Optional.empty();
            }
            if (node.isEmpty() || !node.get().isNumber() || !Double.isFinite(node.get().doubleValue())
                || node.get().doubleValue() < MIN_SCORE || node.get().doubleValue() > MAX_SCORE) {
                error(path, "must be a number from " + (int) MIN_SCORE + " to " + (int) MAX_SCORE + (nullable ? ", or null for never" : ""));
                return Optional.empty();
            }
            return Optional.of(node.get().doubleValue());
        }

        List<String> list(String path, Pattern item, String expected) {
            Optional<JsonNode> node = node(path);
            if (node.isEmpty() || !node.get().isArray() || node.get().size() > 500) {
                error(path, "must be a list of at most 500 texts, each " + expected);
                return List.of();
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < node.get().size(); i++) {
                JsonNode value = node.get().get(i);
                String text = value.isTextual() ? value.textValue().toLowerCase(Locale.ROOT) : "";
                if (text.length() > MAX_ITEM || !item.matcher(text).matches()) {
                    error(path + "[" + i + "]", "must be " + expected);
                } else if (!values.contains(text)) {
                    values.add(text);
                }
            }
            return values;
        }
    }
}
