package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.assertj.core.groups.Tuple;

import com.fasterxml.jackson.databind.JsonNode;

import dev.bulwark.security.policy.InvalidPolicyException;
import dev.bulwark.security.policy.PolicyAction;
import dev.bulwark.security.policy.PolicyChange;
import dev.bulwark.security.policy.PolicyDefaults;
import dev.bulwark.security.policy.PolicyDocuments;
import dev.bulwark.security.policy.PolicyResolution;
import dev.bulwark.security.policy.PolicyVersion;
import dev.bulwark.security.policy.PolicyVerdict;

/** The policy store's behaviour, run on SQLite (SecurityStoreTest) and PostgreSQL (PostgresSecurityStoreTest) alike. */
final class PolicyScenarios {
    private PolicyScenarios() {
    }

    private static JsonNode json(String text) {
        return PolicyDocuments.read(text);
    }

    /** Two stores on one database, as two James nodes: a change on one applies on the other within the cache time. */
    static void changesApplyEverywhereWithinTheCacheTimeAndAreAudited(SecurityStore node1, SecurityStore node2,
                                                                     SecurityStoreTest.MutableClock clock, String prefix) {
        String finance = prefix + "finance";
        String board = prefix + "board";
        String alice = prefix + "alice@example.com";
        java.time.Instant start = clock.instant();
        node1.policies().seedIfEmpty(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), Map.of(), "seed");
        assertThat(node2.policies().seedIfEmpty(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), Map.of(), "seed")).isFalse();
        node1.groups().add(finance, AddressPattern.parse(alice));
        node1.groups().add(board, AddressPattern.parse(alice));
        clock.advance(Duration.ofSeconds(6));
        assertThat(node2.policies().resolve(alice).group()).isEmpty();

        PolicyVersion financeV1 = node1.policies().putGroup(finance, json("{\"spam\": {\"quarantineAt\": 8}}"), "admin-a");
        assertThat(node2.policies().resolve(alice).policy().spam().quarantineAt()).as("cached until cacheTtl").isEmpty();
        clock.advance(Duration.ofSeconds(6));
        PolicyResolution resolved = node2.policies().resolve(alice);
        assertThat(resolved.group()).contains(finance);
        assertThat(resolved.policy().spam().quarantineAt()).contains(8.0);
        assertThat(resolved.reason()).contains("member of group " + finance);

        // Two groups with a policy: the higher priority wins, then the first name.
        node1.policies().putGroup(board, json("{\"actions\": {\"virus\": \"strip\"}}"), "admin-a");
        clock.advance(Duration.ofSeconds(6));
        assertThat(node2.policies().resolve(alice).group()).contains(board);
        assertThat(node2.policies().resolve(alice).policy().spam().quarantineAt()).as("one group's policy, never a mix").isEmpty();
        PolicyVersion financeV2 = node1.policies().putGroup(finance, json("{\"priority\": 5, \"spam\": {\"quarantineAt\": 8}}"), "admin-b");
        clock.advance(Duration.ofSeconds(6));
        resolved = node2.policies().resolve(alice);
        assertThat(resolved.group()).contains(finance);
        assertThat(resolved.groupsWithPolicy()).containsExactly(finance, board);
        assertThat(resolved.reason()).contains("highest priority (5)");
        assertThat(resolved.version()).isEqualTo(financeV2.version());

        // Invalid: refused, nothing stored.
        int before = node1.policies().history(Optional.empty(), 1000).size();
        assertThatThrownBy(() -> node1.policies().putGroup(finance, json("{\"spam\": {\"quarantineAt\": 2}}"), "admin-a"))
            .isInstanceOf(InvalidPolicyException.class).hasMessage("spam.quarantineAt: must be a number above spam.tagAt (5.0)");
        JsonNode strictDefault = PolicyDocuments.merge(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), json("{\"spam\": {\"tagAt\": 9}}"));
        assertThatThrownBy(() -> node1.policies().putDefault(strictDefault, "admin-a")).isInstanceOf(InvalidPolicyException.class)
            .hasMessage("groups." + finance + ".spam.quarantineAt: must be a number above spam.tagAt (9.0)");
        assertThat(node1.policies().history(Optional.empty(), 1000)).hasSize(before);

        // Rollback: the first finance version again, as a new version.
        PolicyVersion rolledBack = node1.policies().rollback(financeV1.version(), "admin-c");
        assertThat(rolledBack.version()).isGreaterThan(financeV2.version());
        assertThat(rolledBack.document()).isEqualTo(financeV1.document());
        clock.advance(Duration.ofSeconds(6));
        assertThat(node2.policies().resolve(alice).group()).as("priority 0 again: board's name comes first").contains(board);
        assertThat(node2.policies().history(Optional.of(PolicyVersion.groupScope(finance)), 10)).extracting(PolicyVersion::change)
            .containsExactly("rollback", "put", "put");
        // The history pairs each version with the one it replaced, the oldest shown included (limit 2 of 3).
        assertThat(node2.policies().changes(Optional.of(PolicyVersion.groupScope(finance)), 2))
            .extracting(change -> change.version().version(), PolicyChange::before)
            .containsExactly(Tuple.tuple(rolledBack.version(), financeV2.document()),
                Tuple.tuple(financeV2.version(), financeV1.document()));
        assertThat(node2.policies().changes(Optional.empty(), 1000)).filteredOn(change -> change.version().version() == financeV1.version())
            .singleElement().extracting(PolicyChange::before).isEqualTo(Optional.empty());

        List<SecurityEvent> audit = node2.events().find(new EventQuery(Optional.of("policy.changed"), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), 100)).stream().filter(e -> e.details().get("scope").startsWith(PolicyVersion.groupScope(prefix)))
            .filter(e -> !e.time().isBefore(start)).toList();
        assertThat(audit).hasSize(4);
        assertThat(audit.get(0).details()).containsEntry("by", "admin-c").containsEntry("change", "rollback")
            .containsEntry("after", "{\"spam\":{\"quarantineAt\":8}}").containsEntry("before", "{\"priority\":5,\"spam\":{\"quarantineAt\":8}}")
            .containsEntry("version", Long.toString(rolledBack.version()));

        // Export, then an import with one bad group: refused whole; a good one replaces everything.
        JsonNode exported = node1.policies().export();
        assertThat(exported.get("groups").get(finance)).isEqualTo(json("{\"spam\":{\"quarantineAt\":8}}"));
        String bad = "{\"default\": " + PolicyDocuments.write(exported.get("default")) + ", \"groups\": {\"" + finance
            + "\": {\"actions\": {\"virus\": \"hold\"}}}}";
        int beforeImport = node1.policies().history(Optional.empty(), 1000).size();
        assertThatThrownBy(() -> node1.policies().importAll(json(bad), "admin-a"))
            .hasMessageStartingWith("groups." + finance + ".actions.virus: 'hold' is not allowed for virus");
        assertThat(node1.policies().history(Optional.empty(), 1000)).hasSize(beforeImport);
        String good = "{\"default\": " + PolicyDocuments.write(exported.get("default")) + ", \"groups\": {\"" + finance
            + "\": {\"actions\": {\"virus\": \"strip\"}}}}";
        node1.policies().importAll(json(good), "admin-a");
        assertThat(node1.policies().groupPolicies()).containsKey(finance).doesNotContainKey(board);
        clock.advance(Duration.ofSeconds(6));
        assertThat(node2.policies().resolve(alice).policy().action(PolicyVerdict.VIRUS)).isEqualTo(PolicyAction.STRIP);
        node1.policies().removeGroup(finance, "admin-a");
        node1.groups().remove(finance, AddressPattern.parse(alice));
        node1.groups().remove(board, AddressPattern.parse(alice));
    }
}
