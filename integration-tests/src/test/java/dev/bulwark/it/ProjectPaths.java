package dev.bulwark.it;

import java.nio.file.Path;

import dev.bulwark.launcher.Installation;

/** Where the build put Bulwark's jar and sample configuration (system properties set by the pom; see {@link Installation}). */
final class ProjectPaths {
    private ProjectPaths() {
    }

    static Path distributionJar() {
        return Installation.find().jar();
    }

    static Path jamesConf() {
        return Installation.find().jamesConf();
    }

    /** The project's clamd test signatures (scripts/signatures). */
    static Path signatures() {
        return jamesConf().getParent().resolve("scripts/signatures");
    }

    /** One of the project's scripts (scripts/): beside james-conf/ unless -Dbulwark.scripts names the folder. */
    static Path script(String name) {
        String configured = System.getProperty("bulwark.scripts");
        Path scripts = configured != null ? Path.of(configured) : jamesConf().getParent().resolve("scripts");
        return scripts.toAbsolutePath().normalize().resolve(name);
    }
}
