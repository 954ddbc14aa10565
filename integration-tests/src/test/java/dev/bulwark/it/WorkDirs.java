package dev.bulwark.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** James working directories: made fresh, removed when their James is done. */
final class WorkDirs {
    private WorkDirs() {
    }

    static Path create() throws IOException {
        return Files.createTempDirectory("bulwark-james");
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir, e);
        }
    }
}
