package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;

/**
 * The logback configurations Bulwark ships for its event log (james-conf/logback/), included as the
 * docs say into a logback configuration, with the events written by the real SecurityEvents: the syslog
 * one delivers each event to a UDP socket this test listens on, as an RFC 3164 line whose JSON has every
 * field; the file one writes JSON lines and rotates them.
 */
class EventLogConfigurationsTest {
    private static final Path SHIPPED = Path.of("").toAbsolutePath().getParent().resolve("james-conf/logback");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code <PRI>Mmm dd HH:mm:ss host TAG: message}; PRI 22 is facility MAIL (2) * 8 + severity INFO (6). */
    private static final Pattern SYSLOG = Pattern.compile("<(\\d+)>([A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d) (\\S+) bulwark-events: (\\{.*\\})");

    @TempDir
    Path dir;

    @AfterEach
    void restoreTheTestLogging() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void syslogReceivesEachEventWithItsFields() throws Exception {
        try (DatagramSocket syslog = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            syslog.setSoTimeout(10_000);
            configure("bulwark-events-syslog.xml", Map.of("BULWARK_SYSLOG_HOST", "127.0.0.1", "BULWARK_SYSLOG_PORT",
                Integer.toString(syslog.getLocalPort())));

            try (SecurityStore store = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("s.db").toString()), Clock.systemUTC());
                 AsyncEventWriter writer = new AsyncEventWriter(store.events(), 100)) {
                writer.record(SecurityEvent.of(Instant.parse("2026-11-22T23:05:12.041Z"), "verdict.infected", Optional.of("<att.1@bulwark.test>"),
                    Optional.of("Mallory@Outside.test"), List.of("Alice@Bulwark.test", "bob@bulwark.test"),
                    Map.of("virusNames", "Bulwark-Test.EICAR.UNOFFICIAL", "endpoint", "127.0.0.1:3310", "subject", "caf\u00e9 \"quoted\"")));
                store.events().record(SecurityEvent.of(Instant.parse("2026-11-22T23:05:13Z"), "quarantine.released", Optional.empty(),
                    Optional.empty(), List.of(), Map.of("releasedBy", "admin")));

                List<String> lines = receive(syslog, 2);

                Matcher first = SYSLOG.matcher(lines.get(0));
                assertThat(first.matches()).as(lines.get(0)).isTrue();
                assertThat(first.group(1)).isEqualTo("22");
                JsonNode event = JSON.readTree(first.group(4));
                assertThat(event.get("time").asText()).isEqualTo("2026-11-22T23:05:12.041Z");
                assertThat(event.get("kind").asText()).isEqualTo("verdict.infected");
                assertThat(event.get("messageId").asText()).isEqualTo("<att.1@bulwark.test>");
                assertThat(event.get("sender").asText()).isEqualTo("mallory@outside.test");
                assertThat(event.get("recipients")).extracting(JsonNode::asText).containsExactly("alice@bulwark.test", "bob@bulwark.test");
                assertThat(event.get("details").get("virusNames").asText()).isEqualTo("Bulwark-Test.EICAR.UNOFFICIAL");
                assertThat(event.get("details").get("subject").asText()).isEqualTo("caf\u00e9 \"quoted\"");
                assertThat(event.get("node").asText()).isNotBlank();

                Matcher second = SYSLOG.matcher(lines.get(1));
                assertThat(second.matches()).as(lines.get(1)).isTrue();
                JsonNode stored = JSON.readTree(second.group(4));
                assertThat(stored.get("kind").asText()).isEqualTo("quarantine.released");
                assertThat(stored.get("messageId").isNull()).isTrue();
                assertThat(stored.get("details").get("releasedBy").asText()).isEqualTo("admin");
            }
        }
    }

    @Test
    void theFileHoldsOneJsonObjectPerLineAndRotates() throws Exception {
        Path logs = dir.resolve("logs");
        configure("bulwark-events-file.xml", Map.of("BULWARK_EVENTS_DIR", logs.toString(), "BULWARK_EVENTS_MAX_FILE_SIZE", "4KB"));
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        RollingFileAppender<?> appender = (RollingFileAppender<?>) context.getLogger("bulwark.events").getAppender("BULWARK_EVENTS_FILE");
        assertThat(appender.getRollingPolicy()).isInstanceOf(SizeAndTimeBasedRollingPolicy.class);
        assertThat(context.getLogger("bulwark.events").isAdditive()).as("the events stay out of James's other logs").isFalse();

        try (SecurityStore store = SecurityStore.open(SecurityStoreConfig.sqlite(dir.resolve("s.db").toString()), Clock.systemUTC());
             AsyncEventWriter writer = new AsyncEventWriter(store.events(), 1000)) {
            for (int i = 0; i < 3; i++) {
                writer.record(SecurityEvent.of(Instant.now(), "verdict.clean", Optional.of("<" + i + "@x>"), Optional.of("a@example.com"),
                    List.of("b@example.com"), Map.of("mail", "m" + i)));
            }
            List<String> lines = Files.readAllLines(logs.resolve("bulwark-events.jsonl"));
            assertThat(lines).hasSize(3);
            for (int i = 0; i < 3; i++) {
                JsonNode event = JSON.readTree(lines.get(i));
                assertThat(event.get("kind").asText()).isEqualTo("verdict.clean");
                assertThat(event.get("messageId").asText()).isEqualTo("<" + i + "@x>");
                assertThat(event.fieldNames()).toIterable().containsExactly("time", "kind", "messageId", "sender", "recipients", "details", "node");
            }

            // 40 KB of events over files of 4 KB: rotated by size, compressed, the current file small again.
            for (int i = 3; i < 200; i++) {
                writer.record(SecurityEvent.of(Instant.now(), "verdict.clean", Optional.of("<" + i + "@x>"), Optional.of("a@example.com"),
                    List.of("b@example.com"), Map.of("mail", "m" + i)));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> rotated(logs).size() >= 2);
            assertThat(rotated(logs)).allMatch(name -> name.matches(".*bulwark-events\\.\\d{4}-\\d\\d-\\d\\d\\.\\d+\\.jsonl\\.gz"));
            assertThat(Files.size(logs.resolve("bulwark-events.jsonl"))).isLessThan(40_000);
        }
    }

    private static List<String> rotated(Path logs) throws IOException {
        try (Stream<Path> files = Files.list(logs)) {
            return files.map(Path::toString).filter(name -> name.endsWith(".gz")).toList();
        }
    }

    /** Includes the shipped file into a configuration, as docs/operations.md tells operators to. */
    private void configure(String shipped, Map<String, String> properties) throws IOException, JoranException {
        Path file = SHIPPED.resolve(shipped);
        assertThat(file).exists();
        Path configuration = Files.writeString(dir.resolve("logback.xml"),
            "<configuration>\n    <include file=\"" + file + "\"/>\n</configuration>\n");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.getStatusManager().clear();
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(configuration.toFile());
        assertThat(context.getStatusManager().getCopyOfStatusList()).as("logback's configuration messages")
            .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
    }

    private static List<String> receive(DatagramSocket socket, int count) throws IOException {
        List<String> lines = new ArrayList<>();
        byte[] buffer = new byte[65_535];
        while (lines.size() < count) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("received " + lines.size() + " of " + count + " syslog messages: " + lines, e);
            }
            lines.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
        }
        return lines;
    }
}
