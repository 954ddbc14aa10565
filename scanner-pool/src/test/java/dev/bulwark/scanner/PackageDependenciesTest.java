package dev.bulwark.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * scanner-pool's sub-packages depend on each other one way only (docs/ARCHITECTURE.md lists them), and no
 * class names a James or mailet type. Read from the sources: imports and fully qualified names alike.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/bulwark/scanner");
    private static final Pattern REFERENCE = Pattern.compile("dev\\.bulwark\\.scanner\\.(\\w+)\\.");
    private static final Map<String, Set<String>> ALLOWED = Map.of(
        "endpoint", Set.of(),
        "verdict", Set.of("endpoint"),
        "wire", Set.of("endpoint"),
        "integrity", Set.of("endpoint", "verdict"),
        "pool", Set.of("endpoint", "verdict", "integrity"),
        "clamd", Set.of("endpoint", "verdict", "wire", "integrity", "pool"),
        "spamd", Set.of("endpoint", "verdict", "wire", "integrity", "pool"),
        "rspamd", Set.of("endpoint", "verdict", "wire", "integrity", "pool"));

    @Test
    void everyClassIsInASubPackageTheRulesKnow() throws IOException {
        try (Stream<Path> entries = Files.list(SOURCES)) {
            assertThat(entries.map(path -> path.getFileName().toString())).containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
        }
    }

    @Test
    void dependenciesPointOneWay() throws IOException {
        for (String pkg : ALLOWED.keySet()) {
            Set<String> used = new TreeSet<>();
            try (Stream<Path> files = Files.list(SOURCES.resolve(pkg))) {
                for (Path file : files.toList()) {
                    Matcher reference = REFERENCE.matcher(Files.readString(file));
                    while (reference.find()) {
                        used.add(reference.group(1));
                    }
                }
            }
            used.remove(pkg);
            assertThat(used).as("packages dev.bulwark.scanner.%s depends on", pkg).isSubsetOf(ALLOWED.get(pkg));
        }
    }

    @Test
    void noJamesTypes() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            assertThat(files.filter(Files::isRegularFile).toList()).allSatisfy(file ->
                assertThat(Files.readString(file)).as("%s", file).doesNotContain("org.apache.james", "org.apache.mailet"));
        }
    }
}
