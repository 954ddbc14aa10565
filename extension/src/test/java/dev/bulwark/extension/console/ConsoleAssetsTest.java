package dev.bulwark.extension.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class ConsoleAssetsTest {
    private final ConsoleAssets assets = ConsoleAssets.load();

    @Test
    void servesExactlyTheFilesOfTheConsoleFolder() throws IOException, URISyntaxException {
        Path folder = Path.of(ConsoleAssets.class.getResource(ConsoleAssets.FOLDER).toURI());
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(file -> file.getFileName().toString()).toList())
                .containsExactlyInAnyOrderElementsOf(ConsoleAssets.NAMES);
        }
    }

    @Test
    void givesEachFileItsContentTypeAndAnEtagThatFollowsTheBytes() {
        assertThat(assets.asset("index.html")).get().extracting(ConsoleAssets.Asset::contentType).isEqualTo("text/html; charset=utf-8");
        assertThat(assets.asset("console.js")).get().extracting(ConsoleAssets.Asset::contentType).isEqualTo("text/javascript; charset=utf-8");
        assertThat(assets.asset("console.css")).get().extracting(ConsoleAssets.Asset::contentType).isEqualTo("text/css; charset=utf-8");
        assertThat(assets.asset("api.js").orElseThrow().etag()).matches("\"[0-9a-f]{32}\"")
            .isNotEqualTo(assets.asset("dom.js").orElseThrow().etag());
        assertThatThrownBy(() -> ConsoleAssets.contentType("x.exe")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesOutsideTheListAreNotFilesEvenWhenTheyLookLikePaths() {
        for (String name : List.of("../ConsoleAssets.class", "..%2FConsoleAssets.class", "/index.html", "INDEX.HTML", "index.html/",
            "dev/bulwark/console/index.html", "", "bulwark.properties")) {
            assertThat(assets.asset(name)).as(name).isEmpty();
        }
        assertThat(assets.asset(null)).isEmpty();
    }

    /** A static guard behind the rule "values from mail are text": no script may parse strings as markup. */
    @Test
    void noScriptTurnsStringsIntoMarkup() {
        for (String name : ConsoleAssets.NAMES) {
            String text = new String(assets.asset(name).orElseThrow().bytes(), StandardCharsets.UTF_8);
            assertThat(text).as(name).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                "new Function", "setAttribute('on", "javascript:");
            if (name.endsWith(".html")) {
                // The page's policy forbids inline script; an inline handler would be dead code anyway.
                assertThat(text).as(name).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContainPattern("\\son[a-z]+=");
            }
        }
    }
}
