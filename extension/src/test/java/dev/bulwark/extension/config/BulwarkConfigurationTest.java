package dev.bulwark.extension.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.convert.DefaultListDelimiterHandler;
import org.junit.jupiter.api.Test;

import dev.bulwark.scanner.clamd.ClamdPoolConfig;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.spamd.SpamdClientConfig;

class BulwarkConfigurationTest {
    /** As James's PropertiesProvider builds it: commas split values into lists. */
    private static PropertiesConfiguration file(String... keyValues) {
        PropertiesConfiguration configuration = new PropertiesConfiguration();
        configuration.setListDelimiterHandler(new DefaultListDelimiterHandler(','));
        for (int i = 0; i < keyValues.length; i += 2) {
            configuration.addProperty(keyValues[i], keyValues[i + 1]);
        }
        return configuration;
    }

    @Test
    void readsEndpointsWithWeightsAndAppliesDefaults() {
        BulwarkConfiguration configuration = BulwarkConfiguration.from(
            file("clamd.endpoints", "a:3310;weight=3, b:3311", "spamd.endpoints", "c:783,d:783"), Map.of());
        assertThat(configuration.clamd().endpoints())
            .containsExactly(new WeightedEndpoint(new Endpoint("a", 3310), 3), new WeightedEndpoint(new Endpoint("b", 3311), 1));
        assertThat(configuration.clamd().maxConnectionsPerEndpoint()).isEqualTo(ClamdPoolConfig.DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT);
        assertThat(configuration.clamd().timeouts().read()).isEqualTo(Duration.ofSeconds(30));
        assertThat(configuration.spamd().endpoints()).containsExactly(new Endpoint("c", 783), new Endpoint("d", 783));
        assertThat(configuration.spamd().client().maxMessageSize()).isEqualTo(SpamdClientConfig.DEFAULT_MAX_MESSAGE_SIZE);
        assertThat(configuration.requireScannersAtStartup()).isTrue();
        assertThat(configuration.rescan()).isEqualTo(BulwarkConfiguration.Rescan.DEFAULT);
        assertThat(configuration.discovery()).isEqualTo(BulwarkConfiguration.Discovery.DEFAULT);
        assertThat(configuration.mailbox()).isEqualTo(BulwarkConfiguration.Mailbox.DEFAULT);
        assertThat(configuration.canary()).isEqualTo(new BulwarkConfiguration.Canary(Duration.ofMinutes(5), Duration.ofMinutes(1),
            java.util.Optional.empty()));
        assertThat(configuration.rescan().deliveredAction()).isEqualTo(BulwarkConfiguration.DeliveredAction.REPORT);
        assertThat(configuration.quarantine()).isEqualTo(new BulwarkConfiguration.Quarantine("file://var/mail/quarantine/",
            Duration.ofDays(30), "root", Duration.ofDays(1)));
    }

    @Test
    void readsEverySetting() {
        BulwarkConfiguration configuration = BulwarkConfiguration.from(file(
            "clamd.endpoints", "a:1", "clamd.connectTimeout", "1s", "clamd.readTimeout", "5s",
            "clamd.maxConnectionsPerEndpoint", "4", "clamd.borrowTimeout", "3s", "clamd.idleTimeout", "10s",
            "clamd.probeInterval", "2s", "clamd.chunkSize", "128K", "clamd.maxStreamSize", "10M", "clamd.resolveInterval", "0",
            "spamd.resolveInterval", "5s",
            "spamd.endpoints", "b:2", "spamd.connectTimeout", "1s", "spamd.timeout", "20s",
            "spamd.maxConnectionsPerEndpoint", "2", "spamd.borrowTimeout", "4s", "spamd.probeInterval", "7s",
            "spamd.maxMessageSize", "1M", "startup.requireScanners", "false",
            "rescan.interval", "30s", "rescan.repository", "/var/mail/held/", "rescan.processor", "rescan",
            "rescan.onSignatureUpdate", "false", "rescan.minInterval", "10m", "rescan.releaseClean", "true", "rescan.deliveredWindow", "0",
            "rescan.deliveredAction", "quarantine", "mailbox.attachmentPolicy", "extensions:exe,scr;archives:false",
            "mailbox.noticeProcessor", "none", "mailbox.stampKey", java.util.Base64.getEncoder().encodeToString(new byte[32]),
            "mailbox.scanRate", "200", "mailbox.takeOutsPerOwnerPerDay", "25", "mailbox.takeOutBytesPerOwnerPerDay", "10M", "canary.interval", "0", "canary.deadline", "30s", "canary.recipient", "Canary@Example.com",
            "quarantine.repository", "memory://var/mail/q/", "quarantine.retention", "7d", "quarantine.releaseProcessor", "released",
            "quarantine.purgeInterval", "6h", "quarantine.heldRetention", "3d"), Map.of());
        ClamdPoolConfig clamd = configuration.clamd();
        assertThat(clamd.timeouts().connect()).isEqualTo(Duration.ofSeconds(1));
        assertThat(clamd.timeouts().read()).isEqualTo(Duration.ofSeconds(5));
        assertThat(clamd.maxConnectionsPerEndpoint()).isEqualTo(4);
        assertThat(clamd.borrowTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(clamd.idleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(clamd.probeInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(clamd.chunkSize()).isEqualTo(128 * 1024);
        assertThat(clamd.maxStreamSize()).isEqualTo(10L * 1024 * 1024);
        assertThat(configuration.spamd().client().connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(configuration.spamd().client().exchangeTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(configuration.spamd().client().maxMessageSize()).isEqualTo(1024 * 1024);
        assertThat(configuration.spamd().maxConnectionsPerEndpoint()).isEqualTo(2);
        assertThat(configuration.spamd().borrowTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(configuration.spamd().probeInterval()).isEqualTo(Duration.ofSeconds(7));
        assertThat(configuration.requireScannersAtStartup()).isFalse();
        assertThat(configuration.discovery()).isEqualTo(new BulwarkConfiguration.Discovery(java.time.Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertThat(configuration.rescan()).isEqualTo(new BulwarkConfiguration.Rescan(Duration.ofSeconds(30), "var/mail/held", "rescan",
            false, Duration.ofMinutes(10), true, Duration.ZERO, BulwarkConfiguration.DeliveredAction.QUARANTINE));
        assertThat(configuration.mailbox()).isEqualTo(new BulwarkConfiguration.Mailbox(java.util.Optional.of("extensions:exe,scr;archives:false"),
            "none", java.util.Optional.of(java.util.Base64.getEncoder().encodeToString(new byte[32])), 200, 25, 10L * 1024 * 1024));
        assertThat(configuration.mailbox().notices()).isFalse();
        assertThat(configuration.canary().enabled()).isFalse();
        assertThat(configuration.canary().deadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(configuration.canary().recipient()).contains("Canary@example.com");
        assertThat(configuration.quarantine()).isEqualTo(new BulwarkConfiguration.Quarantine("memory://var/mail/q/",
            Duration.ofDays(7), "released", Duration.ofHours(6), Duration.ofDays(3)));
    }

    @Test
    void environmentOverridesTheFile() {
        BulwarkConfiguration configuration = BulwarkConfiguration.from(
            file("clamd.endpoints", "127.0.0.1:3310", "spamd.endpoints", "127.0.0.1:783", "clamd.readTimeout", "30s"),
            Map.of("BULWARK_CLAMD_ENDPOINTS", "clamav:3310", "BULWARK_CLAMD_READTIMEOUT", "500ms"));
        assertThat(configuration.clamd().endpoints()).containsExactly(new WeightedEndpoint(new Endpoint("clamav", 3310), 1));
        assertThat(configuration.clamd().timeouts().read()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void badEnvironmentValueSaysWhereItCameFrom() {
        assertThatThrownBy(() -> BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2"),
            Map.of("BULWARK_SPAMD_ENDPOINTS", "spamd")))
            .isInstanceOf(BulwarkConfigurationException.class)
            .hasMessageStartingWith("bulwark.properties: spamd.endpoints is 'spamd' (from BULWARK_SPAMD_ENDPOINTS), expected host:port");
    }

    @Test
    void everyProblemIsOneLineNamingTheKey() {
        Map<String, PropertiesConfiguration> broken = Map.of(
            "clamd.endpoints", file("spamd.endpoints", "b:2"),
            "clamd.connectTimeout", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "clamd.connectTimeout", "-1s"),
            "startup.requireScanners", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "startup.requireScanners", "maybe"),
            "clamd.timeout", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "clamd.timeout", "1s"),
            "clamd.maxConnectionsPerEndpoint", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "clamd.maxConnectionsPerEndpoint", "0"),
            "clamd.chunkSize", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "clamd.chunkSize", "10"),
            "spamd.maxMessageSize", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "spamd.maxMessageSize", "lots"),
            "clamd.endpoints ", file("clamd.endpoints", "a:1,a:1", "spamd.endpoints", "b:2"),
            "weight", file("clamd.endpoints", "a:1;weight=x", "spamd.endpoints", "b:2"),
            "rescan.repository", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "rescan.repository", "memory://var/mail/x/"));
        assertOneLineNamingTheKey(broken);
    }

    @Test
    void aTakeOutBudgetOfNothingOrOfNoSizeIsAStartUpError() {
        assertOneLineNamingTheKey(Map.of(
            "mailbox.takeOutsPerOwnerPerDay", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "mailbox.takeOutsPerOwnerPerDay", "0"),
            "mailbox.takeOutBytesPerOwnerPerDay", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "mailbox.takeOutBytesPerOwnerPerDay", "lots")));
        assertThatThrownBy(() -> BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2",
            "mailbox.takeOutBytesPerOwnerPerDay", "100"), Map.of()))
            .isInstanceOf(BulwarkConfigurationException.class)
            .hasMessageStartingWith("bulwark.properties: mailbox.takeOutBytesPerOwnerPerDay is '100', expected a size from 1K to 1T");
    }

    @Test
    void spamEngineRspamdNeedsOnlyRspamdEndpointsAndReadsItsSettings() {
        BulwarkConfiguration configuration = BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spam.engine", "rspamd",
            "rspamd.endpoints", "r1:11333, r2:11333", "rspamd.controllerEndpoints", "r1:11334", "rspamd.connectTimeout", "1s",
            "rspamd.timeout", "9s", "rspamd.maxConnectionsPerEndpoint", "32", "rspamd.borrowTimeout", "3s", "rspamd.probeInterval", "4s",
            "rspamd.maxMessageSize", "5M", "rspamd.resolveInterval", "0"), Map.of());
        assertThat(configuration.spam().engine()).isEqualTo(BulwarkConfiguration.SpamEngine.RSPAMD);
        assertThat(configuration.spam().spamd()).isEmpty();
        assertThat(configuration.spam().rspamd()).contains(new dev.bulwark.scanner.rspamd.RspamdPoolConfig(
            java.util.List.of(new Endpoint("r1", 11333), new Endpoint("r2", 11333)), Duration.ofSeconds(1), Duration.ofSeconds(9), 32,
            Duration.ofSeconds(3), Duration.ofSeconds(4), 5L * 1024 * 1024));
        assertThat(configuration.spam().rspamdControllers()).containsExactly(new Endpoint("r1", 11334));
        assertThat(configuration.discovery().rspamd()).isZero();
        assertThatThrownBy(configuration::spamd).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void spamEngineDefaultsToSpamdAndRspamdDefaultsApply() {
        BulwarkConfiguration spamd = BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2"), Map.of());
        assertThat(spamd.spam().engine()).isEqualTo(BulwarkConfiguration.SpamEngine.SPAMD);
        assertThat(spamd.spam().rspamd()).isEmpty();
        BulwarkConfiguration rspamd = BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2"),
            Map.of("BULWARK_SPAM_ENGINE", "rspamd", "BULWARK_RSPAMD_ENDPOINTS", "r:11333"));
        assertThat(rspamd.spam().rspamd()).contains(dev.bulwark.scanner.rspamd.RspamdPoolConfig.defaults(java.util.List.of(new Endpoint("r", 11333))));
        assertThat(rspamd.spam().spamd()).as("spamd's keys are still read, not used").isPresent();
        assertThat(rspamd.spam().rspamdControllers()).as("rspamd's default controller port on each rspamd host").containsExactly(new Endpoint("r", 11334));
        assertThat(spamd.spam().rspamdControllers()).isEmpty();
    }

    @Test
    void spamEngineProblemsNameTheKey() {
        assertOneLineNamingTheKey(Map.of(
            "spam.engine", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "spam.engine", "spamassassin"),
            "rspamd.endpoints", file("clamd.endpoints", "a:1", "spam.engine", "rspamd"),
            "rspamd.timeout", file("clamd.endpoints", "a:1", "spam.engine", "rspamd", "rspamd.endpoints", "r:1", "rspamd.timeout", "soon"),
            "rspamd.controllerEndpoints", file("clamd.endpoints", "a:1", "spam.engine", "rspamd", "rspamd.endpoints", "r:1",
                "rspamd.controllerEndpoints", "r"),
            "spamd.endpoints", file("clamd.endpoints", "a:1", "spam.engine", "spamd", "rspamd.endpoints", "r:1")));
    }

    @Test
    void mailboxCanaryAndDeliveredActionProblemsNameTheKey() {
        assertOneLineNamingTheKey(Map.of(
            "rescan.deliveredAction", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "rescan.deliveredAction", "delete"),
            "mailbox.attachmentPolicy", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "mailbox.attachmentPolicy", "exe"),
            "mailbox.stampKey", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "mailbox.stampKey", "c2hvcnQ="),
            "canary.interval", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "canary.interval", "-5m"),
            "canary.recipient", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "canary.recipient", "no-at-sign")));
    }

    private static void assertOneLineNamingTheKey(Map<String, PropertiesConfiguration> broken) {
        assertThat(broken).allSatisfy((key, configuration) ->
            assertThatThrownBy(() -> BulwarkConfiguration.from(configuration, Map.of()))
                .isInstanceOf(BulwarkConfigurationException.class)
                .hasMessageStartingWith("bulwark.properties: ")
                .hasMessageContaining(key.trim().equals("weight") ? "clamd.endpoints" : key.trim())
                .hasMessageNotContaining("\n"));
    }

    @Test
    void learningHasDefaultsAndReadsEachSetting() {
        assertThat(BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2"), Map.of()).learning())
            .isEqualTo(BulwarkConfiguration.Learning.DEFAULT);
        BulwarkConfiguration.Learning learning = BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2",
            "learning.enabled", "false", "learning.junkMailboxes", "Junk, Pourriel", "learning.queueSize", "50",
            "learning.maxMessageSize", "1M", "learning.perUserPerMinute", "10", "learning.perUserPerDay", "200", "learning.hamAfter", "7d",
            "learning.hamScanInterval", "30m"), Map.of()).learning();
        assertThat(learning).isEqualTo(new BulwarkConfiguration.Learning(false, java.util.List.of("Junk", "Pourriel"), 50, 1024 * 1024, 10,
            200, Duration.ofDays(7), Duration.ofMinutes(30)));
        assertThat(BulwarkConfiguration.Learning.DEFAULT.perUserPerDay()).isEqualTo(500);
        assertThat(BulwarkConfiguration.Learning.DEFAULT.hamFromReadMessages()).isFalse();
    }

    @Test
    void learningProblemsNameTheKey() {
        assertOneLineNamingTheKey(Map.of(
            "learning.enabled", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.enabled", "yes"),
            "learning.junkMailboxes", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.junkMailboxes", " , "),
            "learning.queueSize", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.queueSize", "0"),
            "learning.maxMessageSize", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.maxMessageSize", "big"),
            "learning.perUserPerMinute", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.perUserPerMinute", "-1"),
            "learning.perUserPerDay", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.perUserPerDay", "0"),
            "learning.perUserPerDay ", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.perUserPerDay", "many"),
            "learning.hamAfter", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.hamAfter", "-1d"),
            "learning.hamScanInterval", file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "learning.hamScanInterval", "0")));
    }

    @Test
    void quarantineProblemsNameTheKey() {
        assertThatThrownBy(() -> BulwarkConfiguration.from(
            file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "quarantine.repository", "var/mail/quarantine"), Map.of()))
            .hasMessageStartingWith("bulwark.properties: quarantine.repository is 'var/mail/quarantine', expected a mail repository URL");
        assertThatThrownBy(() -> BulwarkConfiguration.from(
            file("clamd.endpoints", "a:1", "spamd.endpoints", "b:2", "quarantine.retention", "forever"), Map.of()))
            .hasMessageStartingWith("bulwark.properties: quarantine.retention is 'forever', expected a duration");
    }

    @Test
    void unknownKeysAreListed() {
        assertThatThrownBy(() -> BulwarkConfiguration.from(file("clamd.endpoints", "a:1", "spamd.endpoint", "b:2"), Map.of()))
            .hasMessageStartingWith("bulwark.properties: unknown key spamd.endpoint, expected one of [");
    }
}
