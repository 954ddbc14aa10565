package dev.bulwark.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the build put Bulwark's jar and sample configuration (system properties set by the pom). */
final class ProjectPaths {
    private ProjectPaths() {
    }

    static Path distributionJar() {
        return existing("bulwark.jar", "distribution/target/bulwark.jar");
    }

    static Path jamesConf() {
        return existing("bulwark.james-conf", "james-conf");
    }

    /** The project's clamd test signatures (scripts/signatures). */
    static Path signatures() {
        return jamesConf().getParent().resolve("scripts/signatures");
    }

    /** One of the project's scripts (scripts/). */
    static Path script(String name) {
        return existing("bulwark.scripts", "scripts").resolve(name);
    }

    private static Path existing(String property, String fromRepositoryRoot) {
        String configured = System.getProperty(property);
        Path path = configured != null ? Paths.get(configured) : repositoryRoot().resolve(fromRepositoryRoot);
        if (!Files.exists(path)) {
            throw new IllegalStateException(path.toAbsolutePath().normalize() + " does not exist (build the project first: mvn package)");
        }
        return path.toAbsolutePath().normalize();
    }

    private static Path repositoryRoot() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("james-conf")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside the Bulwark repository: " + Paths.get("").toAbsolutePath());
    }
}
