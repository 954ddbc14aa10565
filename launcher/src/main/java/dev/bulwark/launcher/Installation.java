package dev.bulwark.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** What an operator installs into James: Bulwark's drop-in jar and its sample configuration folder, james-conf/. */
public record Installation(Path jar, Path jamesConf) {
    /** System property naming the jar (scripts/run-local.sh and the integration tests' Surefire set it). */
    public static final String JAR_PROPERTY = "bulwark.jar";
    /** System property naming james-conf/. */
    public static final String JAMES_CONF_PROPERTY = "bulwark.james-conf";

    /**
     * The jar and james-conf/ the system properties name, or else where the build puts them in the Bulwark
     * repository around the working directory (distribution/target/bulwark.jar, james-conf/).
     */
    public static Installation find() {
        return new Installation(existing(JAR_PROPERTY, "distribution/target/bulwark.jar"), existing(JAMES_CONF_PROPERTY, "james-conf"));
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
        throw new IllegalStateException("not inside the Bulwark repository: " + Paths.get("").toAbsolutePath()
            + " (or set -D" + JAR_PROPERTY + " and -D" + JAMES_CONF_PROPERTY + ")");
    }
}
