package dev.bulwark.it.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import dev.bulwark.it.fixtures.ProjectPaths;

/**
 * The docs cannot drift from what the tests run. Configuration snippets in docs/ and the README
 * (```properties and ```yaml blocks) are lines of the files the tests use (james-conf/, docker/, the
 * compose files), verbatim; every Bulwark class an XML snippet names (mailets, matchers, with or without
 * a condition) is in the drop-in jar.
 */
class DocsSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern BULWARK_CLASS = Pattern.compile("(?:class|match)=\"(dev\\.bulwark\\.[\\w.]+)");

    @Test
    void configurationSnippetsAreLinesOfTestedFiles() throws IOException {
        Set<String> tested = testedLines();
        List<String> drifted = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher block = BLOCK.matcher(Files.readString(doc));
            while (block.find()) {
                if (!Set.of("properties", "yaml", "yml").contains(block.group(1))) {
                    continue;
                }
                for (String line : block.group(2).split("\n")) {
                    String trimmed = line.strip();
                    if (!trimmed.isEmpty() && !trimmed.startsWith("#") && !tested.contains(trimmed)) {
                        drifted.add(doc.getFileName() + ": " + trimmed);
                    }
                }
            }
        }
        assertThat(drifted).as("snippet lines found in no tested file").isEmpty();
    }

    @Test
    void everyBulwarkClassInAnXmlSnippetIsInTheJar() throws IOException {
        Set<String> classes = new HashSet<>();
        try (JarFile jar = new JarFile(ProjectPaths.distributionJar().toFile())) {
            jar.stream().map(entry -> entry.getName()).filter(name -> name.endsWith(".class"))
                .forEach(name -> classes.add(name.substring(0, name.length() - ".class".length()).replace('/', '.')));
        }
        List<String> missing = new ArrayList<>();
        int named = 0;
        for (Path doc : docs()) {
            Matcher block = BLOCK.matcher(Files.readString(doc));
            while (block.find()) {
                if (!block.group(1).equals("xml")) {
                    continue;
                }
                Matcher reference = BULWARK_CLASS.matcher(block.group(2));
                while (reference.find()) {
                    named++;
                    if (!classes.contains(reference.group(1))) {
                        missing.add(doc.getFileName() + ": " + reference.group(1));
                    }
                }
            }
        }
        assertThat(named).as("Bulwark classes named in XML snippets").isPositive();
        assertThat(missing).isEmpty();
    }

    /**
     * Security settings cannot be misnamed: every webadmin key the docs name (`jwt...`, `cors...`,
     * `https...`) and every key of the sample webadmin.properties files is one James 3.8.1 reads, i.e. a
     * string constant of its WebAdminServerModule (an older doc named `jwtPublicKeyPEMLocation`, which
     * James never reads: authentication silently stayed off). Bulwark's own `webadmin.*` keys the docs
     * name are keys of bulwark.properties, which rejects unknown keys at start-up.
     */
    @Test
    void everyWebadminSettingNamedIsOneJamesReads() throws IOException {
        Pattern webadminKey = Pattern.compile("`((?:jwt|cors|https)(?:\\.[a-z][A-Za-z.]*|[A-Z][A-Za-z]*))[`=]");
        Pattern bulwarkKey = Pattern.compile("`(webadmin\\.(?!properties)[A-Za-z]+)[`=]");
        String bulwarkProperties = Files.readString(ProjectPaths.jamesConf().resolve("bulwark.properties"));
        List<String> unknown = new ArrayList<>();
        int named = 0;
        for (Path doc : docs()) {
            String text = Files.readString(doc);
            Matcher key = webadminKey.matcher(text);
            while (key.find()) {
                named++;
                if (!jamesReadsWebadminKey(key.group(1))) {
                    unknown.add(doc.getFileName() + ": " + key.group(1));
                }
            }
            Matcher own = bulwarkKey.matcher(text);
            while (own.find()) {
                if (!Pattern.compile("(?m)^#?" + Pattern.quote(own.group(1)) + "=").matcher(bulwarkProperties).find()) {
                    unknown.add(doc.getFileName() + ": " + own.group(1) + " (not in bulwark.properties)");
                }
            }
        }
        Path root = ProjectPaths.jamesConf().getParent();
        try (Stream<Path> files = Stream.concat(Files.walk(root.resolve("james-conf")), Files.walk(root.resolve("docker")))) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("webadmin.properties")).toList()) {
                java.util.Properties properties = new java.util.Properties();
                try (java.io.Reader in = Files.newBufferedReader(file)) {
                    properties.load(in);
                }
                for (String key : properties.stringPropertyNames()) {
                    named++;
                    if (!jamesReadsWebadminKey(key)) {
                        unknown.add(root.relativize(file) + ": " + key);
                    }
                }
            }
        }
        assertThat(named).as("webadmin keys named").isGreaterThan(10);
        assertThat(jamesReadsWebadminKey("jwtPublicKeyPEMLocation")).as("the key older docs named").isFalse();
        assertThat(unknown).as("webadmin keys James 3.8.1 does not read").isEmpty();
    }

    /** Whether James's WebAdminServerModule holds this exact string constant (a class file UTF8 entry: length, then bytes). */
    private static boolean jamesReadsWebadminKey(String key) throws IOException {
        try (java.io.InputStream in = org.apache.james.modules.server.WebAdminServerModule.class
                .getResourceAsStream("WebAdminServerModule.class")) {
            String classFile = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            return classFile.contains("" + (char) (key.length() >> 8) + (char) (key.length() & 0xff) + key);
        }
    }

    private static List<Path> docs() throws IOException {
        Path root = ProjectPaths.jamesConf().getParent();
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            List<Path> docs = new ArrayList<>(files.filter(file -> file.toString().endsWith(".md")).sorted().toList());
            docs.add(root.resolve("README.md"));
            return docs;
        }
    }

    private static Set<String> testedLines() throws IOException {
        Path root = ProjectPaths.jamesConf().getParent();
        Set<String> lines = new HashSet<>();
        for (Path tree : List.of(root.resolve("james-conf"), root.resolve("docker"), root.resolve("docker-compose.yml"),
                root.resolve("docker-compose-distributed.yml"))) {
            try (Stream<Path> files = Files.walk(tree)) {
                files.filter(Files::isRegularFile).forEach(file -> {
                    try {
                        Files.readAllLines(file).forEach(line -> lines.add(line.strip()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(file + ": " + e.getMessage(), e);
                    }
                });
            }
        }
        return lines;
    }
}
