package dev.bulwark.it.pipeline;

import static dev.bulwark.it.fixtures.MailClients.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.launcher.BulwarkJames;
import dev.bulwark.matchers.testing.HostileMime;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.it.fixtures.BulwarkJamesExtension;
import dev.bulwark.it.fixtures.MailClients;

/**
 * Encrypted and damaged archives over SMTP through the sample pipeline, with the project's clamd
 * (scripts/scanners.sh: AlertEncrypted yes). Archives are made at test time: zip and 7z with Debian's
 * 7-Zip (7zz), RAR byte by byte (no free RAR writer exists; Debian's clamd cannot unpack RAR either, so
 * Bulwark reads RAR headers itself). Every encrypted container is quarantined as banned, clamd's
 * Heuristics.Encrypted.* and Bulwark's own detection alike; a damaged archive as suspicious.
 */
@ExtendWith(BulwarkJamesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class EncryptedArchivesTest {
    private static final String SENDER = "archives@outside.test";
    private static final byte[] TEXT = "quarterly figures\n".getBytes(StandardCharsets.US_ASCII);
    private MailClients clients;
    private BulwarkJames james;

    @TempDir
    Path dir;

    @BeforeAll
    void clients(BulwarkJames james) {
        this.james = james;
        this.clients = new MailClients(james);
    }

    @Test
    void encryptedContainersAreBannedAndDamagedOnesSuspicious() throws Exception {
        String recipient = james.addUser("archive-target");
        Path secret = Files.write(dir.resolve("figures.txt"), TEXT);
        List<Path> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(Files.write(dir.resolve("report-number-" + i + ".txt"), TEXT));
        }
        Map<String, byte[]> encrypted = new LinkedHashMap<>();
        encrypted.put("zipcrypto.zip", sevenZip("zipcrypto.zip", List.of("-tzip", "-pSecret1"), List.of(secret)));
        encrypted.put("aes.zip", sevenZip("aes.zip", List.of("-tzip", "-pSecret1", "-mem=AES256"), List.of(secret)));
        encrypted.put("content.7z", sevenZip("content.7z", List.of("-pSecret1"), List.of(secret)));
        // a compressed file list: Bulwark cannot tell, clamd can
        encrypted.put("compressed-list.7z", sevenZip("compressed-list.7z", List.of("-pSecret1"), many));
        encrypted.put("headers.7z", sevenZip("headers.7z", List.of("-pSecret1", "-mhe=on"), List.of(secret)));
        encrypted.put("old.rar", HostileMime.rar4("figures.txt", TEXT, true, false));
        encrypted.put("new.rar", HostileMime.rar5("figures.txt", TEXT, true, false));
        encrypted.put("hidden-list.rar", HostileMime.rar5("figures.txt", TEXT, false, true));
        for (Map.Entry<String, byte[]> archive : encrypted.entrySet()) {
            send(recipient, "encrypted " + archive.getKey(), archive.getKey(), archive.getValue());
        }
        byte[] zip = zip("figures.txt", TEXT);
        byte[] damagedRar = HostileMime.rar5("figures.txt", TEXT, false, false);
        damagedRar[new String(damagedRar, StandardCharsets.ISO_8859_1).indexOf("figures")] ^= 0x20;
        send(recipient, "damaged zip", "figures.zip", java.util.Arrays.copyOf(zip, zip.length - 30));
        send(recipient, "damaged rar", "figures.rar", damagedRar);
        send(recipient, "plain 7z", "figures.7z", sevenZip("plain.7z", List.of(), List.of(secret)));
        send(recipient, "plain rar", "figures.rar", HostileMime.rar5("figures.txt", TEXT, false, false));
        send(recipient, "exe in a rar", "tools.rar", HostileMime.rar4("setup.exe", TEXT, false, false));

        AWAIT.atMost(Duration.ofMinutes(2)).untilAsserted(() ->
            assertThat(clients.quarantine("recipient=" + recipient + "&limit=100")).hasSize(encrypted.size() + 3));
        Map<String, Map<String, Object>> entries = new LinkedHashMap<>();
        clients.quarantine("recipient=" + recipient + "&limit=100").forEach(entry -> entries.put((String) entry.get("subject"), entry));
        for (String name : encrypted.keySet()) {
            Map<String, Object> entry = entries.get("encrypted " + name);
            assertThat(entry).as(name).containsEntry("reason", "banned");
            assertThat(((Map<String, String>) entry.get("verdict")).get("bulwark.banned.reason")).as(name).contains("encrypted");
        }
        // zip and 7z: clamd says so itself (AlertEncrypted); RAR: only Bulwark can, Debian's clamd has no unrar
        assertThat((List<String>) entries.get("encrypted aes.zip").get("virusNames")).containsExactly("Heuristics.Encrypted.Zip");
        assertThat((List<String>) entries.get("encrypted compressed-list.7z").get("virusNames")).containsExactly("Heuristics.Encrypted.7Zip");
        assertThat(((Map<String, String>) entries.get("encrypted new.rar").get("verdict")).get("bulwark.banned.reason"))
            .isEqualTo("new.rar: encrypted RAR archive (its content cannot be scanned)");
        assertThat(entries.get("damaged zip")).containsEntry("reason", "suspicious");
        assertThat(((Map<String, String>) entries.get("damaged zip").get("verdict")).get("bulwark.banned.suspicious"))
            .startsWith("damaged: figures.zip: archive cannot be read");
        assertThat(entries.get("damaged rar")).containsEntry("reason", "suspicious");
        assertThat(((Map<String, String>) entries.get("exe in a rar").get("verdict")).get("bulwark.banned.reason"))
            .contains("tools.rar > setup.exe: banned extension .exe");
        AWAIT.untilAsserted(() -> assertThat(clients.inboxCount(recipient)).isEqualTo(2));
    }

    private void send(String recipient, String subject, String fileName, byte[] content) throws IOException {
        clients.send(SENDER, recipient, TestSamples.messageWithAttachment(SENDER, recipient, subject, fileName, content));
    }

    /** An archive made by Debian's 7-Zip (package 7zip, scripts/install-deps.sh). */
    private byte[] sevenZip(String name, List<String> switches, List<Path> files) throws IOException, InterruptedException {
        Path archive = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("7zz", "a", "-bd", "-y"));
        command.addAll(switches);
        command.add(archive.toString());
        files.forEach(file -> command.add(file.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("7zz: " + output).isZero();
        return Files.readAllBytes(archive);
    }

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }
}
