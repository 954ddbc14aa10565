package dev.bulwark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/** Checks that data at rest is owner-only: folders rwx------, files rw-------, whatever the test JVM's umask. */
final class PrivateFiles {
    private PrivateFiles() {
    }

    static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    /** The folder is owner-only and so is every file in it; returns the files (so a caller can require some). */
    static List<Path> assertOwnerOnlyFolder(Path folder) throws IOException {
        assertThat(permissions(folder)).as("permissions of %s", folder).isEqualTo("rwx------");
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> files = entries.filter(Files::isRegularFile).toList();
            for (Path file : files) {
                assertThat(permissions(file)).as("permissions of %s", file).isEqualTo("rw-------");
            }
            return files;
        }
    }
}
