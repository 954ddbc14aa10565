package dev.bulwark.extension.webadmin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.authentication.AuthenticationFilter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.bulwark.extension.integrity.IntegrityWatch;
import dev.bulwark.extension.mailbox.MailboxScanTask;
import dev.bulwark.extension.mailbox.MailboxScans;
import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.pool.EnginePool;

import spark.Service;

/**
 * {@code GET /bulwark/scanners}: every endpoint of every engine pool (clamd, spamd) with the integrity watch's latest
 * finding (condition, reason, engine and signature date, time of the check) and its pool figures
 * (in service, active and idle connections, calls, failures, scan latency). {@code GET /bulwark/outbreak}.
 * {@code POST /bulwark/mailboxes?action=scan[&user=...|&domain=...]}: an on-demand mailbox scan, as a task.
 */
public class ScannerRoutes implements Routes {
    static final String SCANNERS = "/bulwark/scanners";

    static final String OUTBREAK = "/bulwark/outbreak";

    static final String MAILBOXES = "/bulwark/mailboxes";

    private final IntegrityWatch watch;
    private final Scanners scanners;
    private final dev.bulwark.security.OutbreakDetector outbreaks;
    private final AuthenticationFilter authentication;
    private final MailboxScans mailboxScans;
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final WebAdminGuard guard;

    @Inject
    public ScannerRoutes(IntegrityWatch watch, Scanners scanners, dev.bulwark.security.OutbreakDetector outbreaks,
                         AuthenticationFilter authentication, WebAdminGuard guard, MailboxScans mailboxScans) {
        this.guard = guard;
        this.watch = watch;
        this.mailboxScans = mailboxScans;
        this.authentication = authentication;
        this.scanners = scanners;
        this.outbreaks = outbreaks;
    }

    @Override
    public String getBasePath() {
        return SCANNERS;
    }

    private record PoolDto(String endpoint, int weight, boolean inService, int active, int idle, long calls, long failures,
                           Scanners.LatencySummary latency) {
        static PoolDto of(EndpointStats stats, Scanners.LatencySummary latency) {
            return new PoolDto(stats.endpoint().endpoint().toString(), stats.endpoint().weight(), stats.available(), stats.active(),
                stats.idle(), stats.calls(), stats.failures(), latency);
        }
    }

    @Override
    public void define(Service service) {
        guard.installOn(service);
        // James guards only the base path (/bulwark/scanners); the outbreak and mailbox routes lie beside it.
        AuthenticatedPaths.require(service, authentication, OUTBREAK, MAILBOXES);
        service.post(MAILBOXES, this::scanMailboxes);
        // {"active": false} or {"active": true, "since", "cause", "detections"}, and the thresholds.
        service.get(OUTBREAK, (request, response) -> {
            WebAdminRequests.rejectUnknownParameters(request, java.util.Set.of());
            response.type("application/json");
            java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
            java.util.Optional<dev.bulwark.security.OutbreakDetector.Outbreak> outbreak = outbreaks.current();
            body.put("active", outbreak.isPresent());
            outbreak.ifPresent(o -> {
                body.put("since", o.since());
                body.put("cause", o.cause());
                body.put("detections", o.detections());
            });
            body.put("settings", outbreaks.settings());
            return mapper.writeValueAsString(body);
        });
        service.get(SCANNERS, (request, response) -> {
            WebAdminRequests.rejectUnknownParameters(request, java.util.Set.of());
            response.type("application/json");
            try {
                // One entry per engine pool, by its daemon's name: {"clamd": [...], "spamd": [...]}.
                Map<String, List<PoolDto>> pools = new LinkedHashMap<>();
                for (EnginePool<?, ?, ?> pool : scanners.pools()) {
                    pools.put(pool.daemon(), pool.stats().stream()
                        .map(stats -> PoolDto.of(stats, scanners.latency(pool.daemon(), stats.endpoint().endpoint()))).toList());
                }
                return mapper.writeValueAsString(Map.of("integrity", watch.states(), "pools", pools));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Starts an on-demand scan of one user's, one domain's or all mailboxes; 201 with the task's id. */
    private Object scanMailboxes(spark.Request request, spark.Response response) throws JsonProcessingException {
        WebAdminRequests.rejectUnknownParameters(request, java.util.Set.of("action", "user", "domain"));
        String action = java.util.Optional.ofNullable(request.queryParams("action")).orElse("");
        if (!action.equals("scan")) {
            throw WebAdminRequests.badRequest("action '" + action + "' is not supported, expected scan");
        }
        java.util.Optional<String> user = WebAdminRequests.parameter(request, "user", java.util.function.Function.identity());
        java.util.Optional<String> domain = WebAdminRequests.parameter(request, "domain", java.util.function.Function.identity());
        if (user.isPresent() && domain.isPresent()) {
            throw WebAdminRequests.badRequest("give user or domain, not both (neither: every user's mailboxes)");
        }
        org.apache.james.task.TaskId taskId;
        try {
            taskId = mailboxScans.submit(new MailboxScanTask.Scope(user, domain), QuarantineRoutes.requester(request));
        } catch (IllegalArgumentException e) {
            throw WebAdminRequests.notFound(e.getMessage());
        }
        response.status(org.eclipse.jetty.http.HttpStatus.CREATED_201);
        response.header("Location", "/tasks/" + taskId.asString());
        response.type("application/json");
        return mapper.writeValueAsString(Map.of("taskId", taskId.asString()));
    }
}
