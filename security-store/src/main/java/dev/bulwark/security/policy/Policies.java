package dev.bulwark.security.policy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.bulwark.security.CachedSnapshot;
import dev.bulwark.security.Groups;
import dev.bulwark.security.LogText;
import dev.bulwark.security.OutbreakSettings;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEvents;
import dev.bulwark.security.StoreException;

/**
 * The runtime policies in the security store: the default policy and the groups' overrides, each change a
 * new version row (history and rollback come from that), every change a {@code policy.changed} event with
 * who, before and after. Mail processing reads the current policies from a snapshot reloaded at most once
 * per {@code store.cacheTtl}, so a change made on any node applies on every node within it.
 *
 * <p>Nothing is written unless the whole change is valid: a new default must keep every group's override
 * valid over it, and an import is validated whole first.
 *
 * <p>Mail always gets a policy. While the database cannot be read, the policies (and groups) last read stay in
 * force. A stored default that today's validation refuses (stored before a rule was added) is not used: the last
 * valid default read stays in force, or, on a node that never read one, the built-in default; an error in the
 * log names the field, and an admin replaces the default as usual.
 */
public final class Policies {
    private static final Logger LOGGER = LoggerFactory.getLogger(Policies.class);
    private static final String COLUMNS = "version, scope, document, change_kind, changed_at, changed_by";

    private final DataSource dataSource;
    private final Groups groups;
    private final SecurityEvents events;
    private final Clock clock;
    private final CachedSnapshot<Current> snapshot;
    /** The last stored default that was valid when read, empty before one was. */
    private volatile Optional<DefaultPolicy> lastValidDefault = Optional.empty();
    /** What mail gets when the stored default is refused and no valid one was read: the seed, or the built-in default. */
    private volatile DefaultPolicy fallbackDefault = builtIn(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT));
    /** The stored default version last refused, so that its error is logged once, not once per cacheTtl. */
    private final AtomicLong refusedDefault = new AtomicLong(-1);

    /** The current policies, parsed once per snapshot. */
    private record Current(DefaultPolicy defaultPolicy, Map<String, Loaded> groups) {
    }

    /** A default policy in force: a stored version, or the built-in one (version {@value #BUILT_IN_VERSION}). */
    private record DefaultPolicy(long version, JsonNode document, Policy policy) {
    }

    /** The version a resolution names when the built-in default is in force: no stored version is. */
    public static final long BUILT_IN_VERSION = 0;

    private record Loaded(PolicyVersion version, PolicyDocuments.GroupPolicy policy) {
    }

    public Policies(DataSource dataSource, Groups groups, SecurityEvents events, Duration cacheTtl, Clock clock) {
        this.dataSource = dataSource;
        this.groups = groups;
        this.events = events;
        this.clock = clock;
        this.snapshot = CachedSnapshot.keepingLastGood(this::read, cacheTtl, clock, LOGGER, "Policies");
    }

    /**
     * Stores the seed policies when the store has no default policy yet (a new store): the default and the
     * groups' overrides, validated like any change. The seed default is also what mail gets should the
     * stored default become unusable before this node read a valid one.
     *
     * @return whether it seeded
     */
    public boolean seedIfEmpty(JsonNode defaultDocument, Map<String, JsonNode> groupOverrides, String by) {
        try {
            fallbackDefault = builtIn(defaultDocument);
        } catch (InvalidPolicyException e) {
            // Refused below when the store is empty; otherwise the fallback stays the built-in default.
        }
        if (latest(PolicyVersion.DEFAULT_SCOPE).isPresent()) {
            return false;
        }
        Map<String, Optional<JsonNode>> changes = validated(defaultDocument, groupOverrides);
        write(changes, "seed", by);
        return true;
    }

    /** The effective policy for an address: the winning group's over the default, or the default. */
    public PolicyResolution resolve(String address) {
        Current current = snapshot.get();
        SortedSet<String> memberOf = groups.groupsOf(address);
        List<String> withPolicy = memberOf.stream().filter(current.groups()::containsKey)
            .sorted(Comparator.comparing((String name) -> -current.groups().get(name).policy().priority()).thenComparing(Function.identity()))
            .toList();
        if (withPolicy.isEmpty()) {
            String reason = memberOf.isEmpty() ? "in no group: the default policy"
                : "in " + memberOf + ", none of which has a policy: the default policy";
            return new PolicyResolution(address, current.defaultPolicy().policy(), Optional.empty(), 0, List.copyOf(memberOf), withPolicy, reason,
                current.defaultPolicy().version());
        }
        String winner = withPolicy.get(0);
        Loaded loaded = current.groups().get(winner);
        String reason = withPolicy.size() == 1 ? "member of group " + winner + ", the only one of its groups with a policy"
            : "group " + winner + " wins over " + withPolicy.subList(1, withPolicy.size())
                + ": highest priority (" + loaded.policy().priority() + "), then first name in alphabetical order";
        return new PolicyResolution(address, loaded.policy().policy(), Optional.of(winner), loaded.policy().priority(), List.copyOf(memberOf),
            withPolicy, reason, loaded.version().version());
    }

    /** The default policy from the snapshot (read again at most once per cacheTtl), for mail processing. */
    public Policy currentDefault() {
        return snapshot.get().defaultPolicy().policy();
    }

    /** The current default policy as stored (not cached). */
    public Optional<PolicyVersion> defaultPolicy() {
        return latest(PolicyVersion.DEFAULT_SCOPE);
    }

    /** A group's current override as stored, empty when it has none. */
    public Optional<PolicyVersion> groupPolicy(String group) {
        return latest(PolicyVersion.groupScope(Groups.checkName(group))).filter(version -> version.document().isPresent());
    }

    /** Every group with a policy, by name, with its current version. */
    public Map<String, PolicyVersion> groupPolicies() {
        Map<String, PolicyVersion> result = new TreeMap<>();
        currentRows().forEach(version -> version.group().filter(group -> version.document().isPresent())
            .ifPresent(group -> result.put(group, version)));
        return result;
    }

    /** Checks a default document with the current group overrides over it; returns the policy, or throws. */
    public Policy validateDefault(JsonNode document) {
        validated(document, currentOverrides());
        return PolicyDocuments.parseDefault(document);
    }

    /** Checks a group override over the current default; returns the merged policy, or throws. */
    public PolicyDocuments.GroupPolicy validateGroup(String group, JsonNode override) {
        return validateGroup(group, override, currentDefaultDocument());
    }

    /** Checks a group's override over a given default document (one read for many groups); returns the effective policy, or throws. */
    public PolicyDocuments.GroupPolicy validateGroup(String group, JsonNode override, JsonNode defaultDocument) {
        Groups.checkName(group);
        return PolicyDocuments.parseOverride(override, defaultDocument, "");
    }

    public PolicyVersion putDefault(JsonNode document, String by) {
        // Checked with every group over it; only the default (rendered by the check) is written.
        Map<String, Optional<JsonNode>> change = Map.of(PolicyVersion.DEFAULT_SCOPE, validated(document, currentOverrides()).get(PolicyVersion.DEFAULT_SCOPE));
        return write(change, "put", by).get(0);
    }

    public PolicyVersion putGroup(String group, JsonNode override, String by) {
        validateGroup(group, override);
        return write(Map.of(PolicyVersion.groupScope(group), Optional.of(override)), "put", by).get(0);
    }

    /** Removes a group's policy (its members get the default again); empty when it had none. */
    public Optional<PolicyVersion> removeGroup(String group, String by) {
        if (groupPolicy(group).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(write(Map.of(PolicyVersion.groupScope(group), Optional.empty()), "remove", by).get(0));
    }

    /**
     * Makes an earlier version current again, as a new version: the default's document (checked against
     * the current overrides) or a group's override (checked over the current default), or a group's removal.
     */
    public PolicyVersion rollback(long version, String by) {
        PolicyVersion target = find(version).orElseThrow(() -> new java.util.NoSuchElementException("policy version " + version + " does not exist"));
        if (target.group().isEmpty()) {
            validated(target.document().orElseThrow(), currentOverrides());
        } else {
            target.document().ifPresent(document -> PolicyDocuments.parseOverride(document, currentDefaultDocument(), ""));
        }
        return write(Map.of(target.scope(), target.document()), "rollback", by).get(0);
    }

    /** Every current policy as one document: {@code {"default": {...}, "groups": {"name": {...}}}}. */
    public ObjectNode export() {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        document.set("default", currentDefaultDocument());
        ObjectNode groupsNode = document.putObject("groups");
        groupPolicies().forEach((group, version) -> groupsNode.set(group, version.document().orElseThrow()));
        return document;
    }

    /**
     * Replaces every policy with an exported document, validated whole before anything is written: the
     * default, then each group's override over it; groups that have a policy now and none in the document
     * lose theirs. Written in one transaction.
     */
    public List<PolicyVersion> importAll(JsonNode document, String by) {
        List<InvalidPolicyException.FieldError> shape = new ArrayList<>();
        if (!document.isObject()) {
            throw new InvalidPolicyException(List.of(new InvalidPolicyException.FieldError("(document)", "must be a JSON object")));
        }
        document.fieldNames().forEachRemaining(name -> {
            if (!name.equals("default") && !name.equals("groups")) {
                shape.add(new InvalidPolicyException.FieldError(name, "is not part of an export, expected default and groups"));
            }
        });
        JsonNode defaultDocument = document.get("default");
        JsonNode groupsNode = document.path("groups");
        if (defaultDocument == null || !defaultDocument.isObject()) {
            shape.add(new InvalidPolicyException.FieldError("default", "must be the default policy, a JSON object"));
        }
        if (!groupsNode.isMissingNode() && !groupsNode.isObject()) {
            shape.add(new InvalidPolicyException.FieldError("groups", "must be an object of group name to policy"));
        }
        Map<String, JsonNode> overrides = new TreeMap<>();
        if (groupsNode.isObject()) {
            groupsNode.fields().forEachRemaining(entry -> {
                try {
                    overrides.put(Groups.checkName(entry.getKey()), entry.getValue());
                } catch (IllegalArgumentException e) {
                    shape.add(new InvalidPolicyException.FieldError("groups." + PolicyDocuments.printable(entry.getKey()), e.getMessage()));
                }
            });
        }
        if (!shape.isEmpty()) {
            throw new InvalidPolicyException(shape);
        }
        Map<String, Optional<JsonNode>> changes = validated(defaultDocument, overrides);
        groupPolicies().keySet().stream().filter(group -> !overrides.containsKey(group))
            .forEach(group -> changes.put(PolicyVersion.groupScope(group), Optional.empty()));
        return write(changes, "import", by);
    }

    /** The versions, newest first; of one scope only when given. */
    public List<PolicyVersion> history(Optional<String> scope, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM bulwark_policy_version" + (scope.isPresent() ? " WHERE scope = ?" : "")
            + " ORDER BY version DESC LIMIT ?";
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
            if (scope.isPresent()) {
                statement.setString(index++, scope.get());
            }
            statement.setInt(index, limit);
            return rows(statement);
        } catch (SQLException e) {
            throw new StoreException("cannot read the policy history", e);
        }
    }

    /**
     * The versions, newest first, each with the document of the version it replaced, in one query (a window
     * over each policy's versions, computed before the limit so that the oldest version shown still has its own).
     */
    public List<PolicyChange> changes(Optional<String> scope, int limit) {
        String sql = "SELECT " + COLUMNS + ", before FROM (SELECT " + COLUMNS
            + ", LAG(document) OVER (PARTITION BY scope ORDER BY version) AS before FROM bulwark_policy_version"
            + (scope.isPresent() ? " WHERE scope = ?" : "") + ") AS versions ORDER BY version DESC LIMIT ?";
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            int index = 1;
            if (scope.isPresent()) {
                statement.setString(index++, scope.get());
            }
            statement.setInt(index, limit);
            List<PolicyChange> changes = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    changes.add(new PolicyChange(version(rows), Optional.ofNullable(rows.getString(7)).map(PolicyDocuments::read)));
                }
            }
            return changes;
        } catch (SQLException e) {
            throw new StoreException("cannot read the policy history", e);
        }
    }

    public Optional<PolicyVersion> find(long version) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS + " FROM bulwark_policy_version WHERE version = ?")) {
            statement.setLong(1, version);
            return rows(statement).stream().findFirst();
        } catch (SQLException e) {
            throw new StoreException("cannot read policy version " + version, e);
        }
    }

    /**
     * Validates a default document and group overrides over it, reporting every error of all of them
     * (a group's errors under {@code groups.<name>.}); returns the changes to write.
     */
    private static Map<String, Optional<JsonNode>> validated(JsonNode defaultDocument, Map<String, JsonNode> overrides) {
        List<InvalidPolicyException.FieldError> errors = new ArrayList<>();
        Map<String, Optional<JsonNode>> changes = new LinkedHashMap<>();
        try {
            changes.put(PolicyVersion.DEFAULT_SCOPE, Optional.of(PolicyDocuments.render(PolicyDocuments.parseDefault(defaultDocument))));
        } catch (InvalidPolicyException e) {
            errors.addAll(e.errors());
        }
        if (errors.isEmpty()) {
            overrides.forEach((group, override) -> {
                try {
                    PolicyDocuments.parseOverride(override, defaultDocument, "groups." + group + ".");
                    changes.put(PolicyVersion.groupScope(group), Optional.of(override));
                } catch (InvalidPolicyException e) {
                    errors.addAll(e.errors());
                }
            });
        }
        if (!errors.isEmpty()) {
            throw new InvalidPolicyException(errors);
        }
        return changes;
    }

    private List<PolicyVersion> write(Map<String, Optional<JsonNode>> changes, String change, String by) {
        Map<String, Optional<PolicyVersion>> before = new HashMap<>();
        changes.keySet().forEach(scope -> before.put(scope, latest(scope)));
        Instant now = clock.instant();
        String who = by.length() > 320 ? by.substring(0, 320) : by;
        List<PolicyVersion> written = new ArrayList<>();
        String sql = "INSERT INTO bulwark_policy_version (scope, document, change_kind, changed_at, changed_by) VALUES (?, ?, ?, ?, ?)";
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
                for (Map.Entry<String, Optional<JsonNode>> entry : changes.entrySet()) {
                    statement.setString(1, entry.getKey());
                    if (entry.getValue().isPresent()) {
                        statement.setString(2, PolicyDocuments.write(entry.getValue().get()));
                    } else {
                        statement.setNull(2, Types.VARCHAR);
                    }
                    statement.setString(3, change);
                    statement.setLong(4, now.toEpochMilli());
                    statement.setString(5, who);
                    statement.executeUpdate();
                    try (ResultSet keys = statement.getGeneratedKeys()) {
                        keys.next();
                        written.add(new PolicyVersion(keys.getLong(1), entry.getKey(), entry.getValue(), change, now, who));
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store the policy change", e);
        } finally {
            snapshot.invalidate();
        }
        for (PolicyVersion version : written) {
            Map<String, String> details = new TreeMap<>();
            details.put("scope", version.scope());
            details.put("version", Long.toString(version.version()));
            details.put("change", change);
            details.put("by", who);
            details.put("before", before.get(version.scope()).flatMap(PolicyVersion::document).map(PolicyDocuments::write).orElse("none"));
            before.get(version.scope()).ifPresent(previous -> details.put("previousVersion", Long.toString(previous.version())));
            details.put("after", version.document().map(PolicyDocuments::write).orElse("none"));
            events.record(SecurityEvent.of(now, "policy.changed", Optional.empty(), Optional.empty(), List.of(), details));
        }
        return written;
    }

    private Optional<PolicyVersion> latest(String scope) {
        return history(Optional.of(scope), 1).stream().findFirst();
    }

    private JsonNode currentDefaultDocument() {
        return latest(PolicyVersion.DEFAULT_SCOPE).flatMap(PolicyVersion::document)
            .orElseThrow(() -> new StoreException("the security store has no default policy yet", null));
    }

    private Map<String, JsonNode> currentOverrides() {
        Map<String, JsonNode> overrides = new TreeMap<>();
        groupPolicies().forEach((group, version) -> overrides.put(group, version.document().orElseThrow()));
        return overrides;
    }

    /** The newest version of every scope. */
    private List<PolicyVersion> currentRows() {
        String sql = "SELECT " + COLUMNS + " FROM bulwark_policy_version p WHERE version = "
            + "(SELECT MAX(version) FROM bulwark_policy_version q WHERE q.scope = p.scope)";
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            return rows(statement);
        } catch (SQLException e) {
            throw new StoreException("cannot read the policies", e);
        }
    }

    /**
     * The current policies from the store. When the database cannot be read this throws, and the snapshot keeps
     * the last ones read (mail keeps its policies through a database hiccup; tried again after cacheTtl): only a
     * node that never read them fails.
     */
    private Current read() {
        List<PolicyVersion> rows = currentRows();
        PolicyVersion storedDefault = rows.stream().filter(row -> row.scope().equals(PolicyVersion.DEFAULT_SCOPE)).findFirst()
            .orElseThrow(() -> new StoreException("the security store has no default policy yet", null));
        DefaultPolicy defaultPolicy = usable(storedDefault);
        Map<String, Loaded> loaded = new HashMap<>();
        for (PolicyVersion row : rows) {
            row.group().filter(group -> row.document().isPresent()).ifPresent(group -> {
                try {
                    loaded.put(group, new Loaded(row, PolicyDocuments.parseOverride(row.document().get(), defaultPolicy.document(), "")));
                } catch (InvalidPolicyException e) {
                    // Only a change made past validation (two nodes at once): the group falls back to the default, visibly.
                    LOGGER.warn("Policy of group {} (version {}) is not valid over the default: {}", group, row.version(), LogText.of(e.getMessage()));
                }
            });
        }
        return new Current(defaultPolicy, Map.copyOf(loaded));
    }

    /**
     * The stored default when today's validation accepts it. Otherwise (stored before a rule was added) it would fail
     * every mail: the last valid one stays in force, or the fallback, and the error names the field, once per version.
     */
    private DefaultPolicy usable(PolicyVersion stored) {
        try {
            JsonNode document = stored.document().orElseThrow(() -> new InvalidPolicyException(
                List.of(new InvalidPolicyException.FieldError("(document)", "is missing"))));
            DefaultPolicy valid = new DefaultPolicy(stored.version(), document, PolicyDocuments.parseDefault(document));
            lastValidDefault = Optional.of(valid);
            return valid;
        } catch (InvalidPolicyException e) {
            Optional<DefaultPolicy> last = lastValidDefault;
            if (refusedDefault.getAndSet(stored.version()) != stored.version()) {
                LOGGER.error("Default policy version {} in the security store is not valid ({}): {} stays in force until an admin replaces it"
                        + " (PUT /bulwark/policies/default, docs/policy.md)", stored.version(), LogText.of(e.getMessage()),
                    last.map(policy -> "version " + policy.version()).orElse("the built-in default"));
            }
            return last.orElse(fallbackDefault);
        }
    }

    private static DefaultPolicy builtIn(JsonNode document) {
        return new DefaultPolicy(BUILT_IN_VERSION, document.deepCopy(), PolicyDocuments.parseDefault(document));
    }

    private static List<PolicyVersion> rows(PreparedStatement statement) throws SQLException {
        List<PolicyVersion> versions = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                versions.add(version(rows));
            }
        }
        return versions;
    }

    /** A row of {@link #COLUMNS}. */
    private static PolicyVersion version(ResultSet row) throws SQLException {
        return new PolicyVersion(row.getLong(1), row.getString(2), Optional.ofNullable(row.getString(3)).map(PolicyDocuments::read),
            row.getString(4), Instant.ofEpochMilli(row.getLong(5)), row.getString(6));
    }
}
