package dev.bulwark.extension.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A web origin as browsers send it in the {@code Origin} header: scheme, host and port, nothing else.
 * Held normalised (lower case, the scheme's default port written out) so that two spellings of one
 * origin compare equal.
 */
public record WebOrigin(String scheme, String host, int port) {
    public WebOrigin {
        scheme = scheme.toLowerCase(Locale.ROOT);
        host = host.toLowerCase(Locale.ROOT);
    }

    /** Parses {@code http://host[:port]} or {@code https://host[:port]}; a path, query or user part is an error. */
    public static WebOrigin parse(String value) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an origin: " + e.getMessage());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("an origin starts with http:// or https://");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
            || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
            throw new IllegalArgumentException("an origin is scheme://host[:port], without path, query or user");
        }
        return new WebOrigin(scheme, uri.getHost(), uri.getPort() < 0 ? defaultPort(scheme) : uri.getPort());
    }

    /** The origin a request names when it reaches {@code host} (a Host header value) over {@code scheme}. */
    public static java.util.Optional<WebOrigin> ofHostHeader(String scheme, String hostHeader) {
        try {
            return java.util.Optional.of(parse(scheme + "://" + hostHeader));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    public static int defaultPort(String scheme) {
        return scheme.equalsIgnoreCase("https") ? 443 : 80;
    }

    /** As the {@code Origin} header writes it: the default port left out. */
    public String asString() {
        return scheme + "://" + host + (port == defaultPort(scheme) ? "" : ":" + port);
    }

    @Override
    public String toString() {
        return asString();
    }
}
