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
}
