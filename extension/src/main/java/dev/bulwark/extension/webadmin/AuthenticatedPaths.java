package dev.bulwark.extension.webadmin;

import org.apache.james.webadmin.authentication.AuthenticationFilter;

import spark.Service;

/**
 * Puts webadmin's authentication in front of paths that a routes class defines outside its own base
 * path. James guards only {@code getBasePath()} and below; a base path as wide as {@code /bulwark} would
 * also guard the public console, so each Bulwark routes class names exactly what it serves.
 */
final class AuthenticatedPaths {
    private AuthenticatedPaths() {
    }

    static void require(Service service, AuthenticationFilter authentication, String... paths) {
        for (String path : paths) {
            service.before(path, authentication);
            service.before(path + "/*", authentication);
        }
    }
}
