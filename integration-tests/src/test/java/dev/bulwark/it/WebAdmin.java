package dev.bulwark.it;

import static io.restassured.RestAssured.given;

import dev.bulwark.launcher.BulwarkJames;

import io.restassured.specification.RequestSpecification;

/**
 * One James's webadmin over HTTP, reached as an admin's tools reach it: the one place that knows its
 * address and its admin token, so that every test (and the console's browser) asks the same way.
 */
final class WebAdmin {
    private WebAdmin() {
    }

    /** A request as an admin: with the token the sample's JWT authentication requires; paths are sent as written (already encoded). */
    static RequestSpecification request(BulwarkJames james) {
        return anonymous(james).header("Authorization", "Bearer " + james.adminToken());
    }

    /** A request without a token, as a stranger sends it. */
    static RequestSpecification anonymous(BulwarkJames james) {
        return given().baseUri("http://127.0.0.1").port(james.webAdminPort()).urlEncodingEnabled(false);
    }

    /** The URL of {@code path} on this James's webadmin, for a browser. */
    static String url(BulwarkJames james, String path) {
        return james.webAdminUrl() + path;
    }
}
