package dev.bulwark.extension.webadmin;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.webadmin.utils.ErrorResponder;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.config.WebAdminSettings;
import dev.bulwark.extension.config.WebOrigin;

import spark.HaltException;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * Keeps web pages from driving webadmin (docs/SECURITY.md). In front of every webadmin route, James's own
 * included, it refuses with 403:
 * <ul>
 * <li>a {@code Host} header naming a host that is neither an IP address, {@code localhost}, nor the host
 * of an allowed origin: a page whose name an attacker re-points at this server (DNS rebinding) names its
 * own host. James's public probes ({@code /healthcheck}, {@code /metrics}) are left to their callers' names.</li>
 * <li>an {@code Origin} header other than webadmin's own origin, {@code cors.origin} and
 * {@code webadmin.allowedOrigins}: every cross-origin page, including "simple" requests a browser sends
 * without asking first, and {@code Origin: null} (sandboxed frames, files).</li>
 * </ul>
 * and, on Bulwark's routes, answers 415 to a state-changing request whose body is not
 * {@code application/json}: curl's default form body would otherwise be read (and emptied) by James's
 * request logging, and a page may post text/plain without a preflight. Requests without {@code Origin}
 * (curl, scripts) are not affected. Authentication stays James's JWT filter: this guard adds nothing
 * to who may call webadmin, only where a browser's request may come from.
 */
@Singleton
public class WebAdminGuard {
    private static final Logger LOGGER = LoggerFactory.getLogger(WebAdminGuard.class);
    private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+\\]");
    private static final String JSON = "application/json";

    private final Set<WebOrigin> allowedOrigins;
    private final Set<String> allowedHosts;
    /** The webadmin servers this guard is installed on: each Bulwark routes class asks, the first one installs. */
    private final Set<Service> installedOn = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    @Inject
    public WebAdminGuard(WebAdminSettings settings) {
        this.allowedOrigins = settings.allowedOrigins();
        this.allowedHosts = allowedOrigins.stream().map(WebOrigin::host).collect(Collectors.toUnmodifiableSet());
    }

    /** Puts the guard in front of every route of this webadmin server, once. */
    public void installOn(Service service) {
        if (installedOn.add(service)) {
            service.before(this::check);
        }
    }

    void check(Request request, Response response) {
        // Spark routes "//bulwark//quarantine" as "/bulwark/quarantine" (empty segments ignored): judged as the router reads it.
        String path = request.pathInfo().replaceAll("/{2,}", "/");
        String host = request.headers("Host");
        if (host != null && !isPublicProbe(path) && !allowedHost(host)) {
            throw refused(request, HttpStatus.FORBIDDEN_403, "Host '" + shown(host) + "' does not name this webadmin: call it by IP address, "
                + "localhost or the host of an allowed origin (" + WebAdminSettings.CORS_ORIGIN + ", "
                + BulwarkConfiguration.WEBADMIN_ALLOWED_ORIGINS + "); other names are refused against DNS rebinding");
        }
        String origin = request.headers("Origin");
        if (origin != null && !allowedOrigin(origin, request.scheme(), host)) {
            throw refused(request, HttpStatus.FORBIDDEN_403, "Origin '" + shown(origin) + "' may not call webadmin: only webadmin's own "
                + "origin and " + WebAdminSettings.CORS_ORIGIN + " or " + BulwarkConfiguration.WEBADMIN_ALLOWED_ORIGINS + " may");
        }
        if (path.startsWith("/bulwark/") && STATE_CHANGING.contains(request.requestMethod()) && !jsonOrNoBody(request)) {
            throw refused(request, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "Bulwark's routes take JSON: send the body with "
                + "Content-Type: application/json (curl: -H 'Content-Type: application/json'), not "
                + Optional.ofNullable(request.contentType()).map(type -> "'" + shown(type) + "'").orElse("a body without a type"));

        }
    }

    private static boolean isPublicProbe(String path) {
        return path.equals("/healthcheck") || path.startsWith("/healthcheck/") || path.equals("/metrics");
    }

    /** An IP literal or localhost cannot be re-pointed by a page's DNS; other names must be listed. */
    private boolean allowedHost(String hostHeader) {
        return WebOrigin.ofHostHeader("http", hostHeader)
            .map(WebOrigin::host)
            .map(host -> IPV4.matcher(host).matches() || IPV6.matcher(host).matches() || host.equals("localhost") || allowedHosts.contains(host))
            .orElse(false);
    }

    private boolean allowedOrigin(String originHeader, String scheme, String hostHeader) {
        WebOrigin origin;
        try {
            origin = WebOrigin.parse(originHeader);
        } catch (IllegalArgumentException e) {
            // "null" (sandboxed frames, file: pages) and anything malformed.
            return false;
        }
        if (allowedOrigins.contains(origin)) {
            return true;
        }
        // Same origin: the page was served by this webadmin under the name the request uses (checked above).
        return hostHeader != null && WebOrigin.ofHostHeader(scheme, hostHeader).map(origin::equals).orElse(false);
    }

    /** A body must be JSON; without one (curl -X POST, or an empty form) there is nothing to misread. */
    private static boolean jsonOrNoBody(Request request) {
        if (request.contentLength() <= 0 && request.headers("Transfer-Encoding") == null) {
            return true;
        }
        String type = request.contentType();
        return type != null && type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT).equals(JSON);
    }

    private static HaltException refused(Request request, int status, String message) {
        LOGGER.warn("Webadmin refused {} {}: {}", request.requestMethod(), shown(request.pathInfo()), message);
        return ErrorResponder.builder().statusCode(status).type(ErrorResponder.ErrorType.INVALID_ARGUMENT).message(message).haltError();
    }

    /** Header values go into logs and answers: printable and short. */
    private static String shown(String value) {
        String printable = value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
    }
}
