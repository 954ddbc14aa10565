package dev.bulwark.extension.config;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import org.apache.commons.configuration2.Configuration;

/**
 * The settings of James's webadmin.properties that Bulwark's routes depend on, checked at start-up:
 * JWT authentication on (or explicitly waived in bulwark.properties), {@code cors.origin} set to one
 * origin (James 3.8.1 answers {@code Access-Control-Allow-Origin: *} otherwise), and the origins whose
 * pages may call webadmin. Reference: docs/SECURITY.md.
 *
 * @param enabled        webadmin runs at all
 * @param authenticated  {@code jwt.enabled=true}
 * @param allowedOrigins {@code cors.origin} and bulwark.properties' {@code webadmin.allowedOrigins}
 */
public record WebAdminSettings(boolean enabled, boolean authenticated, Set<WebOrigin> allowedOrigins) {
    public static final String FILE = "webadmin.properties";
    public static final String JWT_ENABLED = "jwt.enabled";
    public static final String JWT_PUBLIC_KEY_URL = "jwt.publickeypem.url";
    public static final String CORS_ORIGIN = "cors.origin";

    public WebAdminSettings {
        allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /**
     * @param webadmin     James's webadmin.properties
     * @param bulwark      bulwark.properties' webadmin settings
     * @param readableFile whether a James file URL ({@code file://conf/...}) names a readable file
     */
    public static WebAdminSettings from(Configuration webadmin, BulwarkConfiguration.WebAdmin bulwark, Predicate<String> readableFile) {
        if (!webadmin.getBoolean("enabled", false)) {
            return new WebAdminSettings(false, false, Set.of());
        }
        boolean authenticated = webadmin.getBoolean(JWT_ENABLED, false);
        if (!authenticated && !bulwark.allowUnauthenticated()) {
            throw new BulwarkConfigurationException(FILE + ": " + JWT_ENABLED + " is not true, so anything that reaches webadmin could "
                + "list, download and release quarantined mail and edit the sender lists; expected jwt.enabled=true with "
                + JWT_PUBLIC_KEY_URL + " (docs/SECURITY.md), or " + BulwarkConfiguration.WEBADMIN_ALLOW_UNAUTHENTICATED + "=true in "
                + BulwarkConfiguration.FILE + " to run without authentication on purpose");
        }
        if (authenticated) {
            String keyUrl = Optional.ofNullable(webadmin.getString(JWT_PUBLIC_KEY_URL, null)).map(String::trim).filter(v -> !v.isEmpty())
                .orElseThrow(() -> new BulwarkConfigurationException(FILE + ": " + JWT_PUBLIC_KEY_URL + " is missing, expected the URL "
                    + "of the PEM public key that checks admin tokens, such as file://conf/jwt_publickey (scripts/webadmin-keys.sh makes the pair)"));
            if (!readableFile.test(keyUrl)) {
                throw new BulwarkConfigurationException(FILE + ": " + JWT_PUBLIC_KEY_URL + " is '" + keyUrl + "', which names no readable "
                    + "file; expected the PEM public key that checks admin tokens (scripts/webadmin-keys.sh makes the pair)");
            }
        }
        Set<WebOrigin> allowed = new LinkedHashSet<>();
        allowed.add(corsOrigin(webadmin));
        allowed.addAll(bulwark.allowedOrigins());
        return new WebAdminSettings(true, authenticated, allowed);
    }

    private static WebOrigin corsOrigin(Configuration webadmin) {
        // James splits values on commas; an origin has none, so more than one element is a mistake shown as written.
        String value = String.join(",", webadmin.getStringArray(CORS_ORIGIN)).trim();
        if (value.isEmpty() || value.equals("*")) {
            throw new BulwarkConfigurationException(FILE + ": " + CORS_ORIGIN + " is " + (value.isEmpty() ? "not set" : "'*'")
                + ", so James answers every web page with Access-Control-Allow-Origin: *; expected the one origin the console is "
                + "opened from, such as http://127.0.0.1:8000");
        }
        try {
            return WebOrigin.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BulwarkConfigurationException(FILE + ": " + CORS_ORIGIN + " is '" + value + "', expected one origin such as "
                + "http://127.0.0.1:8000 (" + e.getMessage() + ")");
        }
    }
}
