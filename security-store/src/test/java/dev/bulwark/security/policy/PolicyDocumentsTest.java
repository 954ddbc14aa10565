package dev.bulwark.security.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.bulwark.security.OutbreakSettings;

class PolicyDocumentsTest {
    private final ObjectNode defaults = PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT);

    private static InvalidPolicyException invalid(Runnable parse) {
        try {
            parse.run();
        } catch (InvalidPolicyException e) {
            return e;
        }
        throw new AssertionError("expected the document to be refused");
    }

    @Test
    void theBuiltInDefaultIsValidAndRendersBackToItself() {
        Policy policy = PolicyDocuments.parseDefault(defaults);
        assertThat(policy.action(PolicyVerdict.VIRUS)).isEqualTo(PolicyAction.QUARANTINE);
        assertThat(policy.action(PolicyVerdict.SCAN_FAILED)).isEqualTo(PolicyAction.HOLD);
        assertThat(policy.outbreak().window()).isEqualTo(Duration.ofMinutes(10));
        assertThat(PolicyDocuments.render(policy)).isEqualTo(defaults);
        assertThat(PolicyDocuments.write(defaults)).contains("\"quarantineAt\":null", "\"window\":\"10m\"");
    }

    @Test
    void aGroupOverrideChangesOnlyItsFieldsAndKeepsItsPriority() {
        PolicyDocuments.GroupPolicy group = PolicyDocuments.parseOverride(
            PolicyDocuments.read("{\"priority\": 10, \"spam\": {\"quarantineAt\": 8.5}, \"actions\": {\"virus\": \"strip\"}}"), defaults, "");
        assertThat(group.priority()).isEqualTo(10);
        assertThat(group.policy().spam().quarantineAt()).contains(8.5);
        assertThat(group.policy().spam().tagAt()).isEqualTo(5.0);
        assertThat(group.policy().action(PolicyVerdict.VIRUS)).isEqualTo(PolicyAction.STRIP);
        assertThat(group.policy().action(PolicyVerdict.SUSPICIOUS)).isEqualTo(PolicyAction.QUARANTINE);
        assertThat(group.policy().spam().outcome(9)).isEqualTo(Policy.SpamOutcome.QUARANTINE);
        assertThat(group.policy().spam().outcome(6)).isEqualTo(Policy.SpamOutcome.TAG);
        assertThat(group.policy().spam().outcome(1)).isEqualTo(Policy.SpamOutcome.DELIVER);
    }

    @Test
    void errorsNameTheField() {
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"spam\": {\"quarantineAt\": 4}}"), defaults, "")).errors())
            .singleElement().hasToString("spam.quarantineAt: must be a number above spam.tagAt (5.0)");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"spam\": {\"quarantineAt\": 8, \"rejectAt\": 7}}"), defaults, ""))
            .getMessage()).isEqualTo("spam.rejectAt: must be a number above spam.quarantineAt (8.0)");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"spam\": {\"tagAt\": \"high\"}}"), defaults, "")).getMessage())
            .isEqualTo("spam.tagAt: must be a number from -1000 to 10000");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"spam\": {\"tagAt\": 3, \"colour\": 1}}"), defaults, "")).getMessage())
            .startsWith("spam.colour: is not a policy field, expected one of [tagAt, quarantineAt, rejectAt, subjectTag]");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"priority\": 1001}"), defaults, "groups.finance.")).getMessage())
            .isEqualTo("groups.finance.priority: must be an integer from 0 to 1000");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"outbreak\": {\"mode\": \"panic\", \"window\": \"10y\"}}"), defaults, ""))
            .errors()).extracting(InvalidPolicyException.FieldError::field).containsExactly("outbreak.mode", "outbreak.window");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"outbreak\": {\"perVirus\": 3}}"), defaults, "groups.finance."))
            .getMessage()).isEqualTo("groups.finance.outbreak.perVirus: set in the default policy only; outbreaks are counted for all mail");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"outbreak\": {}}"), defaults, "")).getMessage())
            .isEqualTo("outbreak: set in the default policy only; outbreaks are counted for all mail");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"banned\": {\"extensions\": [\"exe\", \".scr\"]}}"), defaults, ""))
            .getMessage()).startsWith("banned.extensions[1]: must be a file name extension without its dot");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"banned\": {\"allowExtensions\": [\"cmd\", \"*.js\"]}}"),
            defaults, "")).getMessage()).startsWith("banned.allowExtensions[1]: must be a file name extension without its dot");
        assertThat(PolicyDocuments.parseOverride(PolicyDocuments.read("{\"banned\": {\"allowExtensions\": [\"CMD\"]}}"), defaults, "").policy()
            .banned().allowExtensions()).containsExactly("cmd");
        // A default stored before the field existed lifts nothing.
        com.fasterxml.jackson.databind.node.ObjectNode older = defaults.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) older.get("banned")).remove("allowExtensions");
        assertThat(PolicyDocuments.parseDefault(older).banned().allowExtensions()).isEmpty();
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"banned\": {\"types\": [\"application/" + "x".repeat(200) + "\"]}}"),
            defaults, "")).getMessage()).startsWith("banned.types[0]: must be a lower-case MIME type of at most 127 characters");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"language\": \"xx\", \"notices\": {\"admin\": \"yes\"}}"), defaults, ""))
            .errors()).extracting(InvalidPolicyException.FieldError::field).containsExactlyInAnyOrder("notices.admin", "language");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": \"quarantine\"}"), defaults, "")).getMessage())
            .startsWith("actions: must be an object with [virus, suspicious,");
        assertThat(invalid(() -> PolicyDocuments.read("{not json")).getMessage()).startsWith("(document): is not JSON");
    }

    @Test
    void notEveryActionIsAllowedForEveryVerdict() {
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"virus\": \"deliver-tagged\"}}"), defaults, ""))
            .getMessage()).isEqualTo("actions.virus: 'deliver-tagged' is not allowed for virus, expected one of [quarantine, reject, strip]");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"scanFailed\": \"strip\"}}"), defaults, ""))
            .getMessage()).startsWith("actions.scanFailed: 'strip' is not allowed for scanFailed");
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"unscannable\": \"strip\"}}"), defaults, ""))
            .getMessage()).startsWith("actions.unscannable: 'strip' is not allowed for unscannable");
        // Strip removes the parts the attachment check (or clamd, for encrypted content) found the findings in.
        Policy stripping = PolicyDocuments.parseOverride(PolicyDocuments.read(
            "{\"actions\": {\"banned\": \"strip\", \"encrypted\": \"strip\", \"damaged\": \"strip\"}}"), defaults, "").policy();
        assertThat(List.of(PolicyVerdict.BANNED, PolicyVerdict.ENCRYPTED, PolicyVerdict.DAMAGED)).allSatisfy(verdict ->
            assertThat(stripping.action(verdict)).isEqualTo(PolicyAction.STRIP));
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"virus\": \"burn\"}}"), defaults, ""))
            .getMessage()).startsWith("actions.virus: 'burn' is not an action, expected one of [quarantine, reject, strip, deliver-tagged, hold]");
        // Delivering mail nobody scanned takes an explicit yes.
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"scanFailed\": \"deliver-tagged\"}}"), defaults, ""))
            .getMessage()).startsWith("actions.scanFailed: deliver-tagged delivers mail nobody scanned: set actions.allowUnscannedDelivery");
        assertThat(PolicyDocuments.parseOverride(PolicyDocuments.read(
            "{\"actions\": {\"scanFailed\": \"deliver-tagged\", \"allowUnscannedDelivery\": true}}"), defaults, "").policy().action(PolicyVerdict.SCAN_FAILED))
            .isEqualTo(PolicyAction.DELIVER_TAGGED);
    }

    @Test
    void theDefaultMustBeCompleteAndHasNoPriority() {
        ObjectNode incomplete = defaults.deepCopy();
        ((ObjectNode) incomplete.get("spam")).remove("tagAt");
        incomplete.put("priority", 3);
        assertThat(invalid(() -> PolicyDocuments.parseDefault(incomplete)).errors()).extracting(InvalidPolicyException.FieldError::toString)
            .containsExactly("priority: only a group's policy has a priority", "spam.tagAt: must be a number from -1000 to 10000");
    }

    @Test
    void aDocumentNestedTooDeeplyIsRefusedBeforeAnythingRecursesIntoIt() {
        // Under a field that is not a policy's: reported, and copied into the merged whole (which recursed).
        String deepArray = "{\"colour\": " + "[".repeat(50_000) + "]".repeat(50_000) + "}";
        // As a group's PUT takes it: read, then merged over the default.
        assertThat(invalid(() -> PolicyDocuments.parseOverride(PolicyDocuments.read(deepArray), defaults, "")).errors()).singleElement().hasToString(
            "(document): is nested too deeply: a policy has at most " + PolicyDocuments.MAX_DEPTH + " levels of objects and lists");
        String deepObject = "{\"a\": ".repeat(50_000) + "1" + "}".repeat(50_000);
        assertThat(invalid(() -> PolicyDocuments.read(deepObject)).getMessage()).contains("nested too deeply");

        assertThat(PolicyDocuments.read(nested(PolicyDocuments.MAX_DEPTH))).isNotNull();
        assertThat(invalid(() -> PolicyDocuments.read(nested(PolicyDocuments.MAX_DEPTH + 1))).getMessage()).contains("nested too deeply");
        // The deepest documents the routes take: an export (a group's archives settings), a validation request.
        ObjectNode export = PolicyDocuments.read("{\"groups\": {\"finance\": {\"banned\": {\"archives\": {\"maxDepth\": 3}}}}}");
        export.set("default", defaults);
        assertThat(PolicyDocuments.read(PolicyDocuments.write(export))).isEqualTo(export);
    }

    /** An object whose innermost value is {@code depth} objects and lists deep, the outermost one counted. */
    private static String nested(int depth) {
        return "{\"a\": " + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    }
}
