package dev.bulwark.extension.console;

import javax.inject.Inject;

import org.apache.james.webadmin.PublicRoutes;
import org.eclipse.jetty.http.HttpStatus;

import dev.bulwark.extension.webadmin.WebAdminGuard;
import dev.bulwark.extension.webadmin.WebAdminRequests;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * The web console (docs/console.md): {@code GET /bulwark/console} is the page, {@code /bulwark/console/<file>}
 * its scripts and style, all from the jar. Public on purpose: the files hold no data, and a browser
 * cannot send webadmin's {@code Authorization} header when it opens a page. Every piece of data the
 * console shows comes from Bulwark's other routes, which keep requiring the token; the page asks for it.
 */
public class ConsoleRoutes implements PublicRoutes {
    public static final String BASE = "/bulwark/console";
    /**
     * Scripts and styles only from this origin, nothing inline: even if a value from mail ever reached
     * the page as markup, the browser would not run it.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final ConsoleAssets assets;
    private final WebAdminGuard guard;

    @Inject
    public ConsoleRoutes(WebAdminGuard guard) {
        this.assets = ConsoleAssets.load();
        this.guard = guard;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        guard.installOn(service);
        service.get(BASE, (request, response) -> serve(ConsoleAssets.INDEX, request, response));
        service.get(BASE + "/", (request, response) -> serve(ConsoleAssets.INDEX, request, response));
        service.get(BASE + "/:file", (request, response) -> serve(request.params("file"), request, response));
    }

    private Object serve(String name, Request request, Response response) {
        ConsoleAssets.Asset asset = assets.asset(name)
            .orElseThrow(() -> WebAdminRequests.notFound("the console has no file " + name));
        response.header("X-Content-Type-Options", "nosniff");
        response.header("Referrer-Policy", "no-referrer");
        response.header("X-Frame-Options", "DENY");
        response.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        // Revalidate every time (cheap: 304 on an unchanged ETag), so an upgraded jar is seen at once.
        response.header("Cache-Control", "no-cache");
        response.header("ETag", asset.etag());
        if (asset.etag().equals(request.headers("If-None-Match"))) {
            response.status(HttpStatus.NOT_MODIFIED_304);
            return "";
        }
        response.type(asset.contentType());
        return asset.bytes();
    }
}
