package dev.bulwark.it.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.bulwark.it.fixtures.ProjectPaths;

/** The drop-in jar bundles Bulwark and only what James lacks, and james-conf names only what it holds. */
class DistributionJarTest {
    private static Set<String> entries;

    @BeforeAll
    static void readJar() throws IOException {
        try (ZipFile jar = new ZipFile(ProjectPaths.distributionJar().toFile())) {
            entries = jar.stream().map(ZipEntry::getName).collect(Collectors.toUnmodifiableSet());
        }
    }

    @Test
    void holdsBulwarkClasses() {
        assertThat(entries).contains(
            "dev/bulwark/mailets/VirusScan.class",
            "dev/bulwark/scanner/clamd/ClamdClient.class",
            "dev/bulwark/extension/BulwarkModule.class");
    }

    @Test
    void bundlesNothingJamesAlreadyProvides() {
        List<String> provided = List.of("org/apache/james/", "org/apache/mailet/", "com/google/inject/", "com/google/common/",
            "javax/mail/", "jakarta/mail/", "javax/inject/", "jakarta/inject/", "org/slf4j/", "reactor/",
            "org/apache/commons/configuration2/", "com/fasterxml/jackson/", "org/apache/commons/io/", "org/apache/commons/pool2/");
        assertThat(entries).noneMatch(entry -> provided.stream().anyMatch(entry::startsWith));
    }

    @Test
    void jamesConfNamesOnlyClassesInTheJar() throws IOException {
        List<String> named = classesNamedInJamesConf();
        assertThat(named).as("Bulwark classes named in james-conf/").isNotEmpty();
        assertThat(named).allSatisfy(className ->
            assertThat(entries).as("james-conf names " + className).contains(className.replace('.', '/') + ".class"));
    }

    /** Every dev.bulwark class in james-conf/ and its optional samples (mailets, matchers, handlers, properties). */
    private static List<String> classesNamedInJamesConf() throws IOException {
        Pattern bulwarkClass = Pattern.compile("dev\\.bulwark(?:\\.[A-Za-z_][A-Za-z0-9_]*)+");
        List<String> named = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ProjectPaths.jamesConf())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Matcher matcher = bulwarkClass.matcher(Files.readString(file));
                while (matcher.find()) {
                    named.add(matcher.group());
                }
            }
        }
        return named.stream().distinct().toList();
    }

    @Test
    void everyDevBulwarkNameInConfLooksLikeAClass() throws IOException {
        // Guards the test above: a package name alone would pass the regex but name no class.
        assertThat(classesNamedInJamesConf()).allSatisfy(name ->
            assertThat(Arrays.asList(name.split("\\."))).last().matches(last -> Character.isUpperCase(last.charAt(0)), "class name"));
    }
}
