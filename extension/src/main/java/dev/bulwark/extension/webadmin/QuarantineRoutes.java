package dev.bulwark.extension.webadmin;

import static dev.bulwark.extension.webadmin.WebAdminRequests.badRequest;
import static dev.bulwark.extension.webadmin.WebAdminRequests.error;
import static dev.bulwark.extension.webadmin.WebAdminRequests.instant;
import static dev.bulwark.extension.webadmin.WebAdminRequests.intParameter;
import static dev.bulwark.extension.webadmin.WebAdminRequests.parameter;
import static dev.bulwark.extension.webadmin.WebAdminRequests.rejectBody;
import static dev.bulwark.extension.webadmin.WebAdminRequests.rejectUnknownParameters;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import javax.inject.Inject;

import org.apache.james.task.TaskId;
import org.apache.james.task.TaskManager;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.authentication.AuthenticationFilter;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.eclipse.jetty.http.HttpStatus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.bulwark.extension.learning.QuarantineLessons;
import dev.bulwark.extension.learning.SpamLearning;
import dev.bulwark.extension.quarantine.QuarantineEvents;
import dev.bulwark.extension.quarantine.QuarantineRelease;
import dev.bulwark.extension.rescan.HeldMailRescan;
import dev.bulwark.extension.rescan.RetroactiveRescan;
import dev.bulwark.extension.tasks.QuarantineDeletionTask;
import dev.bulwark.extension.tasks.QuarantineReindexTask;
import dev.bulwark.quarantine.MessageStructure;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineException;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineId;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStorageException;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.security.SecurityStore;

import spark.HaltException;
import spark.Request;
import spark.Response;
import spark.Route;
import spark.Service;

/**
 * {@code /bulwark/quarantine} on James webadmin (register in webadmin.properties,
 * {@code extensions.routes=dev.bulwark.extension.QuarantineRoutes}). JSON in, JSON out; errors in
 * webadmin's format ({@code statusCode}, {@code type}, {@code message}); protected by webadmin's
 * authentication when configured. Reference with curl examples: docs/quarantine.md.
 */
public class QuarantineRoutes implements Routes {
    public static final String BASE = "/bulwark/quarantine";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** An unscanned release's reason: one line, recorded in the entry and the event. */
    static final int MAX_REASON = 500;
    private static final String JSON = "application/json";
    private static final Set<String> FILTERS = Set.of("reason", "sender", "recipient", "virus", "after", "before");
    private static final Set<String> PAGING = Set.of("offset", "limit");

    private final QuarantineStore store;
    private final QuarantineRelease release;
    private final SecurityStore security;
    private final TaskManager tasks;
    private final RetroactiveRescan rescan;
    private final HeldMailRescan heldMail;
    private final ObjectMapper strictReader;
    private final WebAdminGuard guard;
    private final SpamLearning learning;
    private final QuarantineLessons lessons;

    @Inject
    public QuarantineRoutes(QuarantineStore store, QuarantineRelease release, SecurityStore security, TaskManager tasks,
                            RetroactiveRescan rescan, HeldMailRescan heldMail, WebAdminGuard guard, SpamLearning learning,
                            QuarantineLessons lessons) {
        this.guard = guard;
        this.learning = learning;
        this.lessons = lessons;
        this.rescan = rescan;
        this.heldMail = heldMail;
        this.store = store;
        this.release = release;
        this.security = security;
        this.tasks = tasks;
        this.strictReader = store.codec().mapper().copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        guard.installOn(service);
        service.get(BASE, guarded(this::list));
        service.delete(BASE, guarded(this::deleteByFilter));
        service.post(BASE, guarded(this::action));
        service.get(BASE + "/counts", guarded(this::counts));
        service.get(BASE + "/:id", guarded((request, response) -> json(response, entry(request))));
        service.get(BASE + "/:id/eml", guarded(this::eml));
        service.get(BASE + "/:id/structure", guarded(this::structure));
        service.post(BASE + "/:id/release", guarded(this::release));
        service.delete(BASE + "/:id", guarded(this::delete));
    }

    private Object list(Request request, Response response) {
        rejectUnknownParameters(request, union(FILTERS, PAGING));
        int offset = intParameter(request, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParameter(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        return json(response, store.list(filter(request), offset, limit));
    }

    private Object counts(Request request, Response response) {
        rejectUnknownParameters(request, Set.of());
        Map<String, Long> counts = new LinkedHashMap<>();
        store.counts().forEach((reason, count) -> counts.put(reason.asString(), count));
        counts.put("total", counts.values().stream().mapToLong(Long::longValue).sum());
        return json(response, counts);
    }

    private Object eml(Request request, Response response) {
        QuarantineId id = id(request);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!store.writeMessage(id, out)) {
            throw notFound(id);
        }
        response.type("message/rfc822");
        response.header("Content-Disposition", "attachment; filename=\"" + id.asString() + ".eml\"");
        return out.toByteArray();
    }

    private Object structure(Request request, Response response) {
        QuarantineId id = id(request);
        return json(response, store.withMail(id, mail -> {
            try {
                return MessageStructure.of(mail.getMessage());
            } catch (javax.mail.MessagingException e) {
                throw new QuarantineStorageException("cannot read quarantined message " + id, e);
            }
        }).orElseThrow(() -> notFound(id)));
    }

    /**
     * Body: {@code {"recipients": ["a@example.com"]}} or {@code {"all": true}} (every recipient not yet
     * released). Releasing to everyone is asked for, never what a missing or unreadable body means. Held
     * mail (scan-failed, unscannable) is scanned first and released through every check only with a
     * verdict (409 otherwise), or released unscanned with {@code "unscanned": true, "reason": "why"} added,
     * the reason recorded. Mail quarantined as spam may add {@code "learnAsHam": true}: a false positive, learned
     * as ham for each recipient it is released to ({@code spam.learned} events).
     */
    private Object release(Request request, Response response) {
        QuarantineId id = id(request);
        ReleaseRequest body = releaseRequest(request.body());
        Optional<List<String>> recipients = recipients(body);
        boolean unscanned = Boolean.TRUE.equals(body.unscanned());
        if (body.reason() != null && !unscanned) {
            throw badRequest("\"reason\" goes with \"unscanned\": true, the release of held mail without a verdict");
        }
        QuarantineEntry entry = entry(request);
        boolean learnAsHam = Boolean.TRUE.equals(body.learnAsHam());
        if (learnAsHam) {
            checkLearnable(entry);
        }
        if (!entry.reason().isHeld()) {
            if (unscanned) {
                throw badRequest("quarantine entry " + id.asString() + " is not held mail (" + entry.reason().asString()
                    + "): it was scanned; release it without \"unscanned\"");
            }
            QuarantineEntry released = release.release(id, recipients, requester(request));
            if (learnAsHam) {
                learning.offer(lessons.ham(released, released.releases().get(released.releases().size() - 1).recipients()));
            }
            return json(response, released);
        }
        if (!unscanned) {
            return json(response, heldMail.releaseAfterRescan(id, recipients, requester(request)));
        }
        String reason = Optional.ofNullable(body.reason()).map(String::strip).filter(text -> !text.isEmpty())
            .orElseThrow(() -> badRequest("releasing held mail unscanned needs a \"reason\": why it may be delivered without a verdict"));
        if (reason.length() > MAX_REASON || reason.chars().anyMatch(Character::isISOControl)) {
            throw badRequest("\"reason\" is one line of at most " + MAX_REASON + " characters");
        }
        return json(response, release.releaseUnscanned(id, recipients, requester(request), reason));
    }

    private Object delete(Request request, Response response) {
        QuarantineId id = id(request);
        rejectBody(request);
        QuarantineEntry entry = store.entry(id).orElseThrow(() -> notFound(id));
        if (!store.delete(id)) {
            throw notFound(id);
        }
        QuarantineEvents.record(security, QuarantineEvents.DELETED, entry, entry.recipients(), Map.of("deletedBy", requester(request)));
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    private Object deleteByFilter(Request request, Response response) {
        rejectUnknownParameters(request, FILTERS);
        rejectBody(request);
        QuarantineFilter filter = filter(request);
        if (filter.isEmpty()) {
            throw badRequest("give at least one filter (" + new TreeSet<>(FILTERS) + ") to delete by filter; "
                + "expired entries are purged with POST " + BASE + "?action=purge");
        }
        return task(response, tasks.submit(new QuarantineDeletionTask(store, security, filter, requester(request), Clock.systemUTC())));
    }

    private Object action(Request request, Response response) {
        rejectUnknownParameters(request, Set.of("action"));
        rejectBody(request);
        String action = Optional.ofNullable(request.queryParams("action")).orElse("");
        return switch (action) {
            case "purge" -> task(response, tasks.submit(QuarantineDeletionTask.purge(store, security, requester(request), Clock.systemUTC())));
            case "rescan" -> task(response, rescan.submitNow(requester(request)));
            case "reindex" -> task(response, tasks.submit(new QuarantineReindexTask(store, true, requester(request), Clock.systemUTC())));
            default -> throw badRequest("action '" + action + "' is not supported, expected purge, rescan or reindex");
        };
    }

    private QuarantineEntry entry(Request request) {
        QuarantineId id = id(request);
        return store.entry(id).orElseThrow(() -> notFound(id));
    }

    private record ReleaseRequest(List<String> recipients, Boolean all, Boolean unscanned, String reason, Boolean learnAsHam) {
    }

    /** Only a spam verdict can be a false positive to learn from, and only while some engine learns. */
    private void checkLearnable(QuarantineEntry entry) {
        if (entry.reason() != QuarantineReason.SPAM) {
            throw badRequest("\"learnAsHam\" is for mail quarantined as spam; quarantine entry " + entry.id().asString() + " is "
                + entry.reason().asString());
        }
        if (!learning.enabled()) {
            throw error(HttpStatus.CONFLICT_409, ErrorResponder.ErrorType.WRONG_STATE,
                "no spam engine learns (learning.enabled=false in bulwark.properties, or no engine configured): release without \"learnAsHam\"");
        }
    }

    private static final String RELEASE_BODY = "{\"recipients\": [\"user@domain\", ...]} or {\"all\": true}"
        + " (held mail also {\"unscanned\": true, \"reason\": \"...\"}; mail quarantined as spam also {\"learnAsHam\": true})";

    private ReleaseRequest releaseRequest(String body) {
        if (body == null || body.isBlank()) {
            throw badRequest("say whom to release to: the body must be " + RELEASE_BODY);
        }
        try {
            ReleaseRequest request = strictReader.readValue(body, ReleaseRequest.class);
            if (request == null) {
                throw badRequest("the body must be " + RELEASE_BODY);
            }
            return request;
        } catch (JsonProcessingException e) {
            throw badRequest("the body must be " + RELEASE_BODY + ": " + e.getOriginalMessage());
        }
    }

    /** The chosen recipients, or empty for all of them (only when the body says {@code "all": true}). */
    private static Optional<List<String>> recipients(ReleaseRequest request) {
        if ((request.recipients() == null) == (request.all() == null)) {
            throw badRequest("the body must name \"recipients\" or say \"all\": true, one of the two");
        }
        if (request.all() != null) {
            if (!request.all()) {
                throw badRequest("\"all\" can only be true; to release to some recipients, name them: {\"recipients\": [...]}");
            }
            return Optional.empty();
        }
        if (request.recipients().isEmpty() || request.recipients().stream().anyMatch(r -> r == null || r.isBlank())) {
            throw badRequest("recipients must name at least one address, and no empty one; to release to all, send {\"all\": true}");
        }
        return Optional.of(request.recipients());
    }

    /** The webadmin login when JWT authentication is on, the client's address otherwise. */
    static String requester(Request request) {
        Object login = request.attribute(AuthenticationFilter.LOGIN);
        return login != null ? login.toString() : "webadmin client " + request.ip();
    }

    private static QuarantineFilter filter(Request request) {
        return new QuarantineFilter(
            parameter(request, "reason", value -> QuarantineReason.parse(value)
                .orElseThrow(() -> badRequest("reason '" + value + "' is unknown, expected one of " + QuarantineReason.names()))),
            parameter(request, "sender", Function.identity()),
            parameter(request, "recipient", Function.identity()),
            parameter(request, "virus", Function.identity()),
            parameter(request, "after", value -> instant("after", value)),
            parameter(request, "before", value -> instant("before", value)),
            false);
    }



    private static QuarantineId id(Request request) {
        try {
            return QuarantineId.of(request.params("id"));
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
    }

    private Object json(Response response, Object value) {
        response.type(JSON);
        return store.codec().write(value);
    }

    private Object task(Response response, TaskId taskId) {
        response.status(HttpStatus.CREATED_201);
        response.header("Location", "/tasks/" + taskId.asString());
        return json(response, Map.of("taskId", taskId.asString()));
    }

    /** Quarantine problems become webadmin errors; storage failures a 500 without a stack trace. */
    private static Route guarded(Route route) {
        return (request, response) -> {
            try {
                return route.handle(request, response);
            } catch (HaltException e) {
                throw e;
            } catch (QuarantineException e) {
                throw switch (e.problem()) {
                    case NOT_FOUND -> error(HttpStatus.NOT_FOUND_404, ErrorResponder.ErrorType.NOT_FOUND, e.getMessage());
                    case CONFLICT -> error(HttpStatus.CONFLICT_409, ErrorResponder.ErrorType.WRONG_STATE, e.getMessage());
                    case INVALID -> badRequest(e.getMessage());
                };
            } catch (QuarantineStorageException | IllegalStateException e) {
                throw error(HttpStatus.INTERNAL_SERVER_ERROR_500, ErrorResponder.ErrorType.SERVER_ERROR, e.getMessage());
            }
        };
    }

    private static HaltException notFound(QuarantineId id) {
        return WebAdminRequests.notFound("no quarantine entry " + id.asString());
    }


    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> union = new TreeSet<>(a);
        union.addAll(b);
        return union;
    }
}
