package dev.bulwark.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A James working directory's {@code conf/} folder, and the few edits deployment needs. */
public record ConfFolder(Path path) {
    private static final List<String> BASE_FILES = List.of("smtpserver.xml", "imapserver.xml", "domainlist.xml",
        "usersrepository.xml", "dnsservice.xml");

    /** Writes James's listeners (on the given ports, 0 for any) and copies {@code jamesConf}'s files as they are. */
    static ConfFolder create(Path workDir, Path jamesConf, BulwarkJames.Ports ports) throws IOException {
        Path conf = Files.createDirectories(workDir.resolve("conf"));
        for (String file : BASE_FILES) {
            try (InputStream in = ConfFolder.class.getResourceAsStream("james-base-conf/" + file)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("@SMTP_PORT@", Integer.toString(ports.smtp()))
                    .replace("@IMAP_PORT@", Integer.toString(ports.imap()));
                Files.writeString(conf.resolve(file), text);
            }
        }
        try (Stream<Path> files = Files.list(jamesConf)) {
            // Top-level files only: sub-folders hold optional samples (smtp-time-rejection/) a test copies itself.
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, conf.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new ConfFolder(conf);
    }

    public Path file(String name) {
        return path.resolve(name);
    }

    /** Sets {@code key=value} in a .properties file, replacing the key's line or appending one. */
    public ConfFolder setProperty(String fileName, String key, String value) {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(file(fileName)));
            if (lines.stream().anyMatch(line -> line.startsWith(key + "="))) {
                lines.replaceAll(line -> line.startsWith(key + "=") ? key + "=" + value : line);
            } else {
                lines.add(key + "=" + value);
            }
            Files.write(file(fileName), lines);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces text in a file, failing when the text is not there (so edits cannot silently miss). */
    public ConfFolder replace(String fileName, String text, String replacement) {
        try {
            String content = Files.readString(file(fileName));
            if (!content.contains(text)) {
                throw new IllegalArgumentException(fileName + " does not contain " + text);
            }
            Files.writeString(file(fileName), content.replace(text, replacement));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file under the conf folder (subfolders created), e.g. a notice template override. */
    public ConfFolder write(String relativePath, String content) {
        try {
            Path target = path.resolve(relativePath);
            Files.createDirectories(target.getParent());
            Files.writeString(target, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ConfFolder delete(String fileName) {
        try {
            Files.delete(file(fileName));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
