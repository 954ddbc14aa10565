package dev.bulwark.extension.webadmin;

import static dev.bulwark.extension.webadmin.WebAdminRequests.badRequest;
import static dev.bulwark.extension.webadmin.WebAdminRequests.intParameter;
import static dev.bulwark.extension.webadmin.WebAdminRequests.notFound;
import static dev.bulwark.extension.webadmin.WebAdminRequests.parameter;
import static dev.bulwark.extension.webadmin.WebAdminRequests.rejectBody;
import static dev.bulwark.extension.webadmin.WebAdminRequests.rejectUnknownParameters;
import static dev.bulwark.extension.webadmin.WebAdminRequests.valid;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.eclipse.jetty.http.HttpStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.bulwark.security.Groups;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.policy.InvalidPolicyException;
import dev.bulwark.security.policy.Policies;
import dev.bulwark.security.policy.PolicyDocuments;
import dev.bulwark.security.policy.PolicyResolution;
import dev.bulwark.security.policy.PolicyVersion;

import spark.Request;
import spark.Response;
import spark.Route;
import spark.Service;

/**
 * Runtime policies on James webadmin ({@code /bulwark/policies}, docs/policy.md): read, validate and change
 * the default policy and the groups' policies, see which policy applies to an address and why, the history
 * and rollback, export and import. A change is stored in the security store (a new version, a
 * {@code policy.changed} event naming who made it) and applies on every node within {@code store.cacheTtl}.
 * An invalid policy is refused with 400 naming each wrong field, and nothing changes.
 */
public class PolicyRoutes implements Routes {
    static final String POLICIES = "/bulwark/policies";
    private static final int MAX_HISTORY = 1000;

    private final Policies policies;
    private final WebAdminGuard guard;
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Inject
    public PolicyRoutes(SecurityStore store, WebAdminGuard guard) {
        this.policies = store.policies();
        this.guard = guard;
    }

    @Override
    public String getBasePath() {
        return POLICIES;
    }

    @Override
    public void define(Service service) {
        guard.installOn(service);
        service.get(POLICIES, guarded(this::all));
        service.get(POLICIES + "/default", guarded(this::getDefault));
        service.put(POLICIES + "/default", guarded(this::putDefault));
        service.get(POLICIES + "/groups/:group", guarded(this::getGroup));
        service.put(POLICIES + "/groups/:group", guarded(this::putGroup));
        service.delete(POLICIES + "/groups/:group", guarded(this::removeGroup));
        service.post(POLICIES + "/validate", guarded(this::validate));
        service.get(POLICIES + "/effective", guarded(this::effective));
        service.get(POLICIES + "/history", guarded(this::history));
        service.post(POLICIES + "/rollback", guarded(this::rollback));
        service.get(POLICIES + "/export", guarded(this::export));
        service.post(POLICIES + "/import", guarded(this::importAll));
    }

    /** The default policy and every group's, with its version and its effective (merged) policy. */
    private Object all(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        Map<String, Object> result = new LinkedHashMap<>();
        PolicyVersion defaultVersion = policies.defaultPolicy().orElseThrow();
        result.put("default", versionView(defaultVersion, Optional.empty()));
        // Every group's effective policy over the default read once, not once per group.
        Map<String, Object> groups = new LinkedHashMap<>();
        policies.groupPolicies().forEach((group, version) -> groups.put(group, versionView(version, defaultVersion.document())));
        result.put("groups", groups);
        return json(response, result);
    }

    private Object getDefault(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        return json(response, versionView(policies.defaultPolicy().orElseThrow(), Optional.empty()));
    }

    /** Body: the complete default policy. */
    private Object putDefault(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        PolicyVersion version = policies.putDefault(body(request), QuarantineRoutes.requester(request));
        return json(response, versionView(version, Optional.empty()));
    }

    private Object getGroup(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        String group = group(request);
        PolicyVersion version = policies.groupPolicy(group).orElseThrow(() -> notFound("group " + group + " has no policy: its members get the default"));
        return json(response, groupView(version));
    }

    /** Body: the group's override, only the fields it changes, and {@code priority} (0 to 1000, higher wins). */
    private Object putGroup(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        String group = group(request);
        PolicyVersion version = policies.putGroup(group, body(request), QuarantineRoutes.requester(request));
        return json(response, groupView(version));
    }

    private Object removeGroup(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        rejectBody(request);
        String group = group(request);
        policies.removeGroup(group, QuarantineRoutes.requester(request))
            .orElseThrow(() -> notFound("group " + group + " has no policy"));
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    /** Body: {@code {"policy": {...}}} for the default, {@code {"group": "finance", "policy": {...}}} for a group's. Changes nothing. */
    private Object validate(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        JsonNode body = body(request);
        body.fieldNames().forEachRemaining(name -> {
            if (!name.equals("group") && !name.equals("policy")) {
                throw badRequest("unknown field '" + name + "', expected {\"group\": \"name\" (for a group's policy), \"policy\": {...}}");
            }
        });
        JsonNode policy = body.get("policy");
        if (policy == null || !policy.isObject()) {
            throw badRequest("policy: must be the policy to check, a JSON object");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("valid", true);
        if (body.hasNonNull("group")) {
            String group = valid(body.get("group").asText(), Groups::checkName);
            PolicyDocuments.GroupPolicy checked = policies.validateGroup(group, policy);
            result.put("priority", checked.priority());
            result.put("effective", PolicyDocuments.render(checked.policy()));
        } else {
            result.put("effective", PolicyDocuments.render(policies.validateDefault(policy)));
        }
        return json(response, result);
    }

    /** {@code ?address=bob@example.com}: the policy that applies to it, which group won and why. */
    private Object effective(Request request, Response response) {
        rejectUnknownParameters(request, Set.of("address"));
        String address = parameter(request, "address", Function.identity())
            .orElseThrow(() -> badRequest("address is required, e.g. ?address=bob@example.com"));
        if (address.length() > 320 || !address.contains("@") || address.chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
            throw badRequest("address '" + shown(address) + "' is not a mail address");
        }
        PolicyResolution resolution = policies.resolve(address);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("address", resolution.address());
        result.put("group", resolution.group());
        result.put("priority", resolution.priority());
        result.put("version", resolution.version());
        result.put("groups", resolution.groups());
        result.put("groupsWithPolicy", resolution.groupsWithPolicy());
        result.put("reason", resolution.reason());
        result.put("policy", PolicyDocuments.render(resolution.policy()));
        return json(response, result);
    }

    /** {@code ?scope=default|group:<name>&limit=100}: the versions, newest first, each with the one it replaced. */
    private Object history(Request request, Response response) {
        rejectUnknownParameters(request, Set.of("scope", "limit"));
        Optional<String> scope = parameter(request, "scope", value -> {
            if (!value.equals(PolicyVersion.DEFAULT_SCOPE) && !(value.startsWith("group:") && valid(value.substring(6), Groups::checkName) != null)) {
                throw badRequest("scope '" + shown(value) + "' is not a policy, expected default or group:<name>");
            }
            return value;
        });
        int limit = intParameter(request, "limit", 100, 1, MAX_HISTORY);
        List<Map<String, Object>> versions = policies.changes(scope, limit).stream().map(change -> {
            Map<String, Object> view = versionView(change.version(), Optional.empty());
            view.put("before", change.before().orElse(null));
            return view;
        }).toList();
        return json(response, versions);
    }

    /** Body: {@code {"version": 12}}: that version becomes current again, as a new version. */
    private Object rollback(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        JsonNode body = body(request);
        JsonNode version = body.get("version");
        if (version == null || !version.isIntegralNumber() || body.size() != 1) {
            throw badRequest("version: the body must be {\"version\": <number from GET " + POLICIES + "/history>}");
        }
        PolicyVersion target = policies.find(version.longValue()).orElseThrow(() -> notFound("policy version " + version.longValue() + " does not exist"));
        PolicyVersion written = policies.rollback(target.version(), QuarantineRoutes.requester(request));
        Map<String, Object> view = versionView(written, Optional.empty());
        view.put("rolledBackTo", target.version());
        return json(response, view);
    }

    private Object export(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        return json(response, policies.export());
    }

    /** Body: an export. Validated whole first; then every policy is replaced, in one transaction. */
    private Object importAll(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        List<PolicyVersion> written = policies.importAll(body(request), QuarantineRoutes.requester(request));
        return json(response, Map.of("versions", written.stream().map(version -> versionView(version, Optional.empty())).toList()));
    }

    /** A group's version with its effective policy over the current default. */
    private Map<String, Object> groupView(PolicyVersion version) {
        return versionView(version, policies.defaultPolicy().flatMap(PolicyVersion::document));
    }

    /** A version; a group's with its effective policy when the default document it applies over is given. */
    private Map<String, Object> versionView(PolicyVersion version, Optional<JsonNode> defaultDocument) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("version", version.version());
        view.put("scope", version.scope());
        version.group().ifPresent(group -> view.put("group", group));
        view.put("change", version.change());
        view.put("changedAt", version.changedAt());
        view.put("changedBy", version.changedBy());
        view.put("policy", version.document().orElse(null));
        if (defaultDocument.isPresent() && version.group().isPresent() && version.document().isPresent()) {
            try {
                view.put("effective", PolicyDocuments.render(policies.validateGroup(version.group().get(), version.document().get(),
                    defaultDocument.get()).policy()));
            } catch (dev.bulwark.security.policy.InvalidPolicyException e) {
                // The stored default no longer validates (docs/policy.md): the listing still answers, saying why there is no
                // effective policy to show, so that an admin can see and replace the default.
                view.put("effective", null);
                view.put("effectiveError", e.getMessage());
            }
        }
        return view;
    }

    private static String group(Request request) {
        return valid(request.params("group"), Groups::checkName);
    }

    private static JsonNode body(Request request) {
        String body = request.body();
        if (body == null || body.isBlank()) {
            throw badRequest(request.requestMethod() + " " + request.pathInfo() + " needs a JSON body (docs/policy.md)");
        }
        return PolicyDocuments.read(body);
    }

    private Object json(Response response, Object value) {
        return WebAdminRequests.json(mapper, response, value);
    }

    /** As {@link WebAdminRequests#guarded(Route)}, and an invalid policy or request value answered as a 400. */
    private static Route guarded(Route route) {
        return WebAdminRequests.guarded((request, response) -> {
            try {
                return route.handle(request, response);
            } catch (InvalidPolicyException e) {
                throw ErrorResponder.builder().statusCode(HttpStatus.BAD_REQUEST_400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
                    .message("invalid policy: " + e.getMessage()).cause(e).haltError();
            } catch (IllegalArgumentException e) {
                throw badRequest(e.getMessage());
            }
        });
    }

    /** A value from the request shown in an error: one line, cut. */
    private static String shown(String value) {
        String cut = value.length() > 60 ? value.substring(0, 60) + "..." : value;
        return cut.replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
    }
}
