package dev.bulwark.extension.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.convert.DefaultListDelimiterHandler;
import org.junit.jupiter.api.Test;

class WebAdminSettingsTest {
    private static final BulwarkConfiguration.WebAdmin DEFAULTS = BulwarkConfiguration.WebAdmin.DEFAULT;

    /** As James's PropertiesProvider builds it: commas split values into lists. */
    private static PropertiesConfiguration webadmin(String... keyValues) {
        PropertiesConfiguration configuration = new PropertiesConfiguration();
        configuration.setListDelimiterHandler(new DefaultListDelimiterHandler(','));
        configuration.addProperty("enabled", "true");
        configuration.addProperty("jwt.enabled", "true");
        configuration.addProperty("jwt.publickeypem.url", "file://conf/jwt_publickey");
        configuration.addProperty("cors.origin", "http://127.0.0.1:8000");
        for (int i = 0; i < keyValues.length; i += 2) {
            configuration.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return configuration;
    }

    @Test
    void theSampleSettingsPass() {
        WebAdminSettings settings = WebAdminSettings.from(webadmin(), new BulwarkConfiguration.WebAdmin(
            List.of(WebOrigin.parse("https://Mail.Example.com:443")), false), url -> url.equals("file://conf/jwt_publickey"));
        assertThat(settings.enabled()).isTrue();
        assertThat(settings.authenticated()).isTrue();
        assertThat(settings.allowedOrigins()).containsExactlyInAnyOrder(WebOrigin.parse("http://127.0.0.1:8000"),
            new WebOrigin("https", "mail.example.com", 443));
    }

    @Test
    void authenticationOffIsRefusedUnlessWaived() {
        assertThatThrownBy(() -> WebAdminSettings.from(webadmin("jwt.enabled", "false"), DEFAULTS, url -> true))
            .isInstanceOf(BulwarkConfigurationException.class)
            .hasMessageStartingWith("webadmin.properties: jwt.enabled is not true")
            .hasMessageContaining("webadmin.allowUnauthenticated=true in bulwark.properties");
        assertThat(WebAdminSettings.from(webadmin("jwt.enabled", "false"), new BulwarkConfiguration.WebAdmin(List.of(), true), url -> false)
            .authenticated()).isFalse();
    }

    @Test
    void aMissingOrUnreadableKeyIsNamed() {
        PropertiesConfiguration noKey = webadmin();
        noKey.clearProperty("jwt.publickeypem.url");
        assertThatThrownBy(() -> WebAdminSettings.from(noKey, DEFAULTS, url -> true))
            .hasMessageStartingWith("webadmin.properties: jwt.publickeypem.url is missing");
        assertThatThrownBy(() -> WebAdminSettings.from(webadmin(), DEFAULTS, url -> false))
            .hasMessageStartingWith("webadmin.properties: jwt.publickeypem.url is 'file://conf/jwt_publickey', which names no readable file");
    }

    @Test
    void corsOriginMustBeOneOrigin() {
        PropertiesConfiguration none = webadmin();
        none.clearProperty("cors.origin");
        assertThatThrownBy(() -> WebAdminSettings.from(none, DEFAULTS, url -> true))
            .hasMessageStartingWith("webadmin.properties: cors.origin is not set, so James answers every web page with Access-Control-Allow-Origin: *");
        assertThatThrownBy(() -> WebAdminSettings.from(webadmin("cors.origin", "*"), DEFAULTS, url -> true))
            .hasMessageStartingWith("webadmin.properties: cors.origin is '*'");
        assertThatThrownBy(() -> WebAdminSettings.from(webadmin("cors.origin", "http://a.example,http://b.example"), DEFAULTS, url -> true))
            .hasMessageStartingWith("webadmin.properties: cors.origin is 'http://a.example,http://b.example', expected one origin");
        assertThatThrownBy(() -> WebAdminSettings.from(webadmin("cors.origin", "http://127.0.0.1:8000/bulwark/console"), DEFAULTS, url -> true))
            .hasMessageContaining("without path");
    }

    @Test
    void aDisabledWebadminNeedsNothing() {
        assertThat(WebAdminSettings.from(webadmin("enabled", "false", "jwt.enabled", "false", "cors.origin", "*"), DEFAULTS, url -> false)
            .enabled()).isFalse();
    }

    @Test
    void originsAreComparedNormalised() {
        assertThat(WebOrigin.parse("HTTP://LocalHost")).isEqualTo(WebOrigin.parse("http://localhost:80"));
        assertThat(WebOrigin.parse("https://a.example").asString()).isEqualTo("https://a.example");
        assertThat(WebOrigin.parse("http://[::1]:8000").host()).isEqualTo("[::1]");
        assertThat(WebOrigin.ofHostHeader("http", "127.0.0.1:8000")).contains(WebOrigin.parse("http://127.0.0.1:8000"));
        assertThat(WebOrigin.ofHostHeader("http", "bad host")).isEmpty();
        for (String bad : List.of("null", "ftp://a.example", "http://user@a.example", "http://a.example/", "http://a.example?x", "a.example")) {
            assertThatThrownBy(() -> WebOrigin.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void bulwarkPropertiesReadsTheWebadminKeys() {
        PropertiesConfiguration file = new PropertiesConfiguration();
        file.setListDelimiterHandler(new DefaultListDelimiterHandler(','));
        file.addProperty("clamd.endpoints", "a:1");
        file.addProperty("spamd.endpoints", "b:2");
        file.addProperty("webadmin.allowedOrigins", "https://mail.example.com:8000, http://10.0.0.5:8000");
        file.addProperty("webadmin.allowUnauthenticated", "true");
        BulwarkConfiguration configuration = BulwarkConfiguration.from(file, Map.of());
        assertThat(configuration.webAdmin().allowedOrigins()).containsExactly(WebOrigin.parse("https://mail.example.com:8000"),
            WebOrigin.parse("http://10.0.0.5:8000"));
        assertThat(configuration.webAdmin().allowUnauthenticated()).isTrue();
    }
}
