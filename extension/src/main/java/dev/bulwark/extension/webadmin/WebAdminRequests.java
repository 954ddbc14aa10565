package dev.bulwark.extension.webadmin;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.apache.james.webadmin.utils.ErrorResponder;
import org.eclipse.jetty.http.HttpStatus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.bulwark.security.StoreException;

import spark.HaltException;
import spark.Request;
import spark.Response;
import spark.Route;

/** Request parsing and errors shared by Bulwark's webadmin routes, in webadmin's error format. */
public final class WebAdminRequests {
    private WebAdminRequests() {
    }

    public static Instant instant(String name, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw badRequest(name + " '" + value + "' is not a date, expected ISO-8601 such as 2026-01-31T00:00:00Z");
        }
    }

    public static <T> Optional<T> parameter(Request request, String name, Function<String, T> parser) {
        return Optional.ofNullable(request.queryParams(name)).map(String::trim).filter(v -> !v.isEmpty()).map(parser);
    }

    public static int intParameter(Request request, String name, int defaultValue, int min, int max) {
        return parameter(request, name, value -> {
            try {
                int parsed = Integer.parseInt(value);
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw badRequest(name + " '" + value + "' is invalid, expected a number from " + min + " to " + max);
        }).orElse(defaultValue);
    }

    public static void rejectUnknownParameters(Request request, Set<String> known) {
        Set<String> unknown = new TreeSet<>(request.queryParams());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw badRequest("unknown parameter " + unknown + ", expected " + (known.isEmpty() ? "none" : "one of " + new TreeSet<>(known)));
        }
    }

    /** For routes that take no body: one sent anyway is a mistake (a misplaced argument), not ignored. */
    public static void rejectBody(Request request) {
        String body = request.body();
        if (body != null && !body.isBlank()) {
            throw badRequest(request.requestMethod() + " " + request.pathInfo() + " takes no body");
        }
    }

    /** Parses a value taken from the request, turning the parser's IllegalArgumentException into a 400. */
    public static <T> T valid(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
    }

    public static HaltException badRequest(String message) {
        return error(HttpStatus.BAD_REQUEST_400, ErrorResponder.ErrorType.INVALID_ARGUMENT, message);
    }

    public static HaltException notFound(String message) {
        return error(HttpStatus.NOT_FOUND_404, ErrorResponder.ErrorType.NOT_FOUND, message);
    }

    public static HaltException error(int status, ErrorResponder.ErrorType type, String message) {
        return ErrorResponder.builder().statusCode(status).type(type).message(message).haltError();
    }

    /**
     * {@code route} with a security store failure ({@link StoreException}) answered as a 500 without a stack trace;
     * the errors the route halts with itself pass as they are.
     */
    public static Route guarded(Route route) {
        return (request, response) -> {
            try {
                return route.handle(request, response);
            } catch (HaltException e) {
                throw e;
            } catch (StoreException e) {
                throw error(HttpStatus.INTERNAL_SERVER_ERROR_500, ErrorResponder.ErrorType.SERVER_ERROR, e.getMessage());
            }
        };
    }

    /** {@code value} as the response's JSON body. */
    public static String json(ObjectMapper mapper, Response response, Object value) {
        response.type("application/json");
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
