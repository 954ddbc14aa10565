package dev.bulwark.extension.privacy;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Owner-only files and folders for data nobody else on the machine may read: folders {@code rwx------}
 * (0700), files {@code rw-------} (0600). Without POSIX permissions (not a Unix file system) these do
 * nothing; the file system's own access rules apply.
 */
public final class OwnerOnly {
    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    /** Creates the folder (and missing parents) owner-only, or makes an existing one owner-only. */
    public static Path folder(Path folder) throws IOException {
        if (!posix()) {
            return Files.createDirectories(folder);
        }
        Files.createDirectories(folder, attribute(FOLDER));
        restrict(folder, FOLDER);
        return folder;
    }

    /**
     * Creates the folder (and missing parents) owner-only; an existing folder is left as it is (it may
     * be shared, such as /var/lib).
     */
    public static Path newFolder(Path folder) throws IOException {
        return posix() ? Files.createDirectories(folder, attribute(FOLDER)) : Files.createDirectories(folder);
    }

    /** Creates an empty owner-only file if there is none, or makes the existing one owner-only. */
    public static Path file(Path file) throws IOException {
        if (!posix()) {
            return file;
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createFile(file, attribute(FILE));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created meanwhile: restricted below
            }
        }
        restrict(file, FILE);
        return file;
    }

    /** Makes the file owner-only when it exists (a file created by someone else's code, after the fact). */
    public static void existingFile(Path file) throws IOException {
        if (posix() && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            restrict(file, FILE);
        }
    }

    /** Makes every regular file directly in the folder owner-only. */
    public static void filesIn(Path folder) throws IOException {
        if (!posix() || !Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                existingFile(file);
            }
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(permissions)) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
