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
import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.scanner.pool.EndpointStats;
import dev.bulwark.scanner.pool.EnginePool;

import spark.Service;

/**
 * {@code GET /bulwark/scanners}: every endpoint of every engine pool (clamd, spamd) with the integrity watch's latest
 * finding (condition, reason, engine and signature date, time of the check) and its pool figures
 * (in service, active and idle connections, calls, failures, scan latency).
 */
public class ScannerRoutes implements Routes {
    static final String SCANNERS = "/bulwark/scanners";

    static final String OUTBREAK = "/bulwark/outbreak";

    private final IntegrityWatch watch;
    private final Scanners scanners;
    private final dev.bulwark.security.OutbreakDetector outbreaks;
    private final AuthenticationFilter authentication;
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Inject
    public ScannerRoutes(IntegrityWatch watch, Scanners scanners, dev.bulwark.security.OutbreakDetector outbreaks,
                         AuthenticationFilter authentication) {
        this.watch = watch;
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
        // James guards only the base path (/bulwark/scanners); the outbreak route lies beside it.
        AuthenticatedPaths.require(service, authentication, OUTBREAK);
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

}
