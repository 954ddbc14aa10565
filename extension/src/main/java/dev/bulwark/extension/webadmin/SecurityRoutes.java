package dev.bulwark.extension.webadmin;

import static dev.bulwark.extension.webadmin.WebAdminRequests.badRequest;
import static dev.bulwark.extension.webadmin.WebAdminRequests.guarded;
import static dev.bulwark.extension.webadmin.WebAdminRequests.instant;
import static dev.bulwark.extension.webadmin.WebAdminRequests.intParameter;
import static dev.bulwark.extension.webadmin.WebAdminRequests.notFound;
import static dev.bulwark.extension.webadmin.WebAdminRequests.parameter;
import static dev.bulwark.extension.webadmin.WebAdminRequests.rejectBody;
import static dev.bulwark.extension.webadmin.WebAdminRequests.rejectUnknownParameters;
import static dev.bulwark.extension.webadmin.WebAdminRequests.valid;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.authentication.AuthenticationFilter;
import org.eclipse.jetty.http.HttpStatus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.tasks.EventPurgeTask;
import dev.bulwark.security.AddressPattern;
import dev.bulwark.security.EventQuery;
import dev.bulwark.security.Groups;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SenderList;

import spark.Request;
import spark.Response;
import spark.Route;
import spark.Service;

/**
 * Sender lists ({@code /bulwark/lists/allow|block}), groups ({@code /bulwark/groups}) and the security
 * event log ({@code /bulwark/events}) on James webadmin. Changes are stored in the security store and
 * apply on every node sharing it within {@code store.cacheTtl}. Reference: docs/configuration.md.
 */
public class SecurityRoutes implements Routes {
    static final String LISTS = "/bulwark/lists";
    static final String GROUPS = "/bulwark/groups";
    static final String EVENTS = "/bulwark/events";
    static final String TRACE = "/bulwark/trace";
    static final String STATS = "/bulwark/stats";
    /** Windows of GET /bulwark/stats and the size of their time buckets. */
    private static final Map<String, java.time.Duration[]> WINDOWS = Map.of(
        "1h", new java.time.Duration[] {java.time.Duration.ofHours(1), java.time.Duration.ofMinutes(1)},
        "24h", new java.time.Duration[] {java.time.Duration.ofHours(24), java.time.Duration.ofHours(1)},
        "7d", new java.time.Duration[] {java.time.Duration.ofDays(7), java.time.Duration.ofHours(1)});

    private final SecurityStore store;
    private final AuthenticationFilter authentication;
    private final org.apache.james.task.TaskManager tasks;
    private final java.time.Duration eventRetention;
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final WebAdminGuard guard;

    @Inject
    public SecurityRoutes(SecurityStore store, org.apache.james.task.TaskManager tasks, BulwarkConfiguration configuration,
                          AuthenticationFilter authentication, WebAdminGuard guard) {
        this.guard = guard;
        this.store = store;
        this.authentication = authentication;
        this.tasks = tasks;
        this.eventRetention = configuration.store().eventRetention();
    }

    @Override
    public String getBasePath() {
        // Not "/bulwark": James would then guard the public console too (ConsoleRoutes). The other
        // paths get the same authentication in define().
        return LISTS;
    }

    @Override
    public void define(Service service) {
        guard.installOn(service);
        AuthenticatedPaths.require(service, authentication, GROUPS, EVENTS, TRACE, STATS);
        service.get(LISTS + "/:list", guarded(this::listEntries));
        service.put(LISTS + "/:list/:pattern", guarded(this::addToList));
        service.delete(LISTS + "/:list/:pattern", guarded(this::removeFromList));
        service.get(GROUPS, guarded(this::groups));
        service.get(GROUPS + "/:group", guarded(this::group));
        service.put(GROUPS + "/:group/:member", guarded(this::addToGroup));
        service.delete(GROUPS + "/:group/:member", guarded(this::removeFromGroup));
        service.get(EVENTS, guarded(this::events));
        service.post(EVENTS, guarded(this::purgeEvents));
        service.get(TRACE, guarded(this::trace));
        service.get(STATS, guarded(this::stats));
    }

    private record ListEntryDto(String pattern, String comment, Instant createdAt) {
    }

    private record CommentRequest(Optional<String> comment) {
    }

    private Object listEntries(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        SenderList list = list(request);
        return json(response, store.lists().entries(list).stream()
            .map(entry -> new ListEntryDto(entry.pattern().value(), entry.comment(), entry.createdAt())).toList());
    }

    /** Body: nothing, or {@code {"comment": "why"}}. 204 whether new or already there. */
    private Object addToList(Request request, Response response) {
        SenderList list = list(request);
        AddressPattern pattern = pattern(request, "pattern");
        String comment = body(request.body(), CommentRequest.class).flatMap(CommentRequest::comment).orElse("");
        if (comment.length() > 1000 || comment.chars().anyMatch(Character::isISOControl)) {
            throw badRequest("comment must be at most 1000 characters without control characters");
        }
        store.lists().add(list, pattern, comment);
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    private Object removeFromList(Request request, Response response) {
        rejectBody(request);
        SenderList list = list(request);
        AddressPattern pattern = pattern(request, "pattern");
        if (!store.lists().remove(list, pattern)) {
            throw notFound(pattern.value() + " is not on the " + list.asString() + " list");
        }
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    private Object groups(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        Map<String, List<String>> groups = new TreeMap<>();
        store.groups().all().forEach((name, members) -> groups.put(name, members(members)));
        return json(response, groups);
    }

    private Object group(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        String name = valid(request.params("group"), Groups::checkName);
        Set<AddressPattern> members = store.groups().all().get(name);
        if (members == null) {
            throw notFound("group " + name + " has no members");
        }
        return json(response, members(members));
    }

    private Object addToGroup(Request request, Response response) {
        rejectBody(request);
        String name = valid(request.params("group"), Groups::checkName);
        store.groups().add(name, pattern(request, "member"));
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    private Object removeFromGroup(Request request, Response response) {
        rejectBody(request);
        String name = valid(request.params("group"), Groups::checkName);
        AddressPattern member = pattern(request, "member");
        if (!store.groups().remove(name, member)) {
            throw notFound(member.value() + " is not a member of group " + name);
        }
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    private Object events(Request request, Response response) {
        rejectUnknownParameters(request, Set.of("kind", "messageId", "sender", "recipient", "after", "before", "limit", "offset"));
        EventQuery query = new EventQuery(
            parameter(request, "kind", Function.identity()),
            parameter(request, "messageId", Function.identity()),
            parameter(request, "sender", Function.identity()),
            parameter(request, "recipient", Function.identity()),
            parameter(request, "after", value -> instant("after", value)),
            parameter(request, "before", value -> instant("before", value)),
            intParameter(request, "limit", 100, 1, EventQuery.MAX_LIMIT),
            intParameter(request, "offset", 0, 0, Integer.MAX_VALUE));
        List<SecurityEvent> events = store.events().find(query);
        return json(response, events);
    }

    /** {@code POST /bulwark/events?action=purge}: deletes events older than store.eventRetention, as a James task. */
    private Object purgeEvents(Request request, Response response) {
        rejectUnknownParameters(request, Set.of("action"));
        rejectBody(request);
        String action = Optional.ofNullable(request.queryParams("action")).orElse("");
        if (!action.equals("purge")) {
            throw badRequest("action '" + action + "' is not supported, expected purge");
        }
        org.apache.james.task.TaskId taskId = tasks.submit(new EventPurgeTask(store.events(), eventRetention, java.time.Clock.systemUTC()));
        response.status(HttpStatus.CREATED_201);
        response.header("Location", "/tasks/" + taskId.asString());
        return json(response, Map.of("taskId", taskId.asString()));
    }

    /** Everything that happened to one message, oldest first. */
    private Object trace(Request request, Response response) {
        rejectUnknownParameters(request, Set.of("messageId"));
        String messageId = parameter(request, "messageId", Function.identity())
            .orElseThrow(() -> badRequest("messageId is required, e.g. ?messageId=<abc@example.com>"));
        List<SecurityEvent> events = new java.util.ArrayList<>(store.events().find(new EventQuery(Optional.empty(), Optional.of(messageId),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), EventQuery.MAX_LIMIT)));
        java.util.Collections.reverse(events);
        return json(response, Map.of("messageId", messageId, "events", events));
    }

    private Object stats(Request request, Response response) {
        rejectUnknownParameters(request, Set.of("window"));
        String window = parameter(request, "window", Function.identity()).orElse("24h");
        java.time.Duration[] sizes = WINDOWS.get(window);
        if (sizes == null) {
            throw badRequest("window '" + window + "' is not supported, expected one of [1h, 24h, 7d]");
        }
        Instant to = Instant.now();
        return json(response, store.events().statistics(to.minus(sizes[0]), to, sizes[1]));
    }

    private static List<String> members(Set<AddressPattern> members) {
        return members.stream().map(AddressPattern::value).sorted().toList();
    }

    private static SenderList list(Request request) {
        return valid(request.params("list"), SenderList::of);
    }

    private static AddressPattern pattern(Request request, String name) {
        return valid(request.params(name), AddressPattern::parse);
    }

    private <T> Optional<T> body(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapper.readValue(body, type));
        } catch (JsonProcessingException e) {
            throw badRequest("the body must be empty or {\"comment\": \"...\"}: " + e.getOriginalMessage());
        }
    }

    private Object json(Response response, Object value) {
        return WebAdminRequests.json(mapper, response, value);
    }
}
