package dev.bulwark.it.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.bulwark.it.fixtures.ProjectPaths;

/**
 * The compose files users run: valid for Debian's docker-compose (no Docker daemon needed to check),
 * every file they mount exists in the repository, and every Bulwark setting they pass is a real key.
 */
class ComposeFilesTest {
    private static Path repository() {
        return ProjectPaths.jamesConf().getParent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "docker-compose-distributed.yml"})
    void isValidAndMountsOnlyFilesThatExist(String name) throws Exception {
        Path file = repository().resolve(name);
        Process process = new ProcessBuilder(List.of("docker-compose", "-f", file.toString(), "config", "-q"))
            .directory(repository().toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("docker-compose config: " + output).isZero();

        String compose = Files.readString(file);
        Matcher mount = Pattern.compile("(?m)^\\s*- \\./([^:\\s]+):").matcher(compose);
        int mounts = 0;
        while (mount.find()) {
            mounts++;
            if (mount.group(1).startsWith(".run/webadmin-jwt/")) {
                // Made on the operator's machine, never in the repository: scripts/webadmin-keys.sh writes it there.
                assertThat(Files.readString(ProjectPaths.script("webadmin-keys.sh")))
                    .as(name + " mounts ./" + mount.group(1) + ", which scripts/webadmin-keys.sh must make")
                    .contains(".run/webadmin-jwt").contains(Path.of(mount.group(1)).getFileName().toString());
            } else if (!mount.group(1).startsWith("distribution/target/")) {
                assertThat(repository().resolve(mount.group(1))).as(name + " mounts ./" + mount.group(1)).exists();
            }
        }
        assertThat(mounts).isPositive();
        Matcher setting = Pattern.compile("(?m)^\\s*BULWARK_([A-Z_]+):").matcher(compose);
        String bulwarkProperties = Files.readString(ProjectPaths.jamesConf().resolve("bulwark.properties"));
        while (setting.find()) {
            String variable = setting.group(1);
            assertThat(bulwarkProperties.lines().map(line -> line.replaceFirst("^#", ""))
                .filter(line -> line.contains("="))
                .map(line -> line.substring(0, line.indexOf('=')).toUpperCase().replace('.', '_')))
                .as(name + " sets BULWARK_" + variable).contains(variable);
        }
    }

    @org.junit.jupiter.api.Test
    void theDistributedRepositoryStoreServesEveryProtocolTheSampleNames() throws IOException {
        String store = Files.readString(repository().resolve("docker/james-distributed/mailrepositorystore.xml"));
        Matcher url = Pattern.compile("([a-z]+)://var/mail/").matcher(Files.readString(ProjectPaths.jamesConf().resolve("mailetcontainer.xml"))
            + Files.readString(ProjectPaths.jamesConf().resolve("bulwark.properties")));
        while (url.find()) {
            assertThat(store).as("protocol " + url.group(1)).contains("<protocol>" + url.group(1) + "</protocol>");
        }
    }
}
