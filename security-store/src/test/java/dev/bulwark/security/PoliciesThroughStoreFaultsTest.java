package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.bulwark.security.policy.Policies;
import dev.bulwark.security.policy.PolicyAction;
import dev.bulwark.security.policy.PolicyDefaults;
import dev.bulwark.security.policy.PolicyDocuments;
import dev.bulwark.security.policy.PolicyResolution;
import dev.bulwark.security.policy.PolicyVerdict;

/**
 * Mail keeps a usable policy when the store cannot give one: through a database outage (the groups and policies last
 * read stay in force) and when the stored default no longer passes today's validation (the last good default, or the
 * built-in one). Groups and Policies run here on a DataSource the test can take down, over a real SQLite file.
 */
class PoliciesThroughStoreFaultsTest {
    private static final Duration CACHE_TTL = SecurityStoreConfig.DEFAULT_CACHE_TTL;
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";

    @TempDir
    Path dir;

    private final SecurityStoreTest.MutableClock clock = new SecurityStoreTest.MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private SwitchableDataSource database;
    private Groups groups;
    private Policies policies;

    @BeforeEach
    void open() {
        Path file = dir.resolve("security.db");
        // Opened once for its schema.
        SecurityStore.open(SecurityStoreConfig.sqlite(file.toString()), clock).close();
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + file);
        database = new SwitchableDataSource(sqlite);
        groups = new Groups(database, CACHE_TTL, clock);
        policies = new Policies(database, groups, new SecurityEvents(database, "node-1"), CACHE_TTL, clock);
        log.start();
        logger(Groups.class).addAppender(log);
        logger(Policies.class).addAppender(log);
    }

    @AfterEach
    void detachLog() {
        logger(Groups.class).detachAppender(log);
        logger(Policies.class).detachAppender(log);
    }

    @Test
    void mailKeepsItsGroupAndPolicyThroughADatabaseOutage() {
        policies.seedIfEmpty(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT),
            Map.of("finance", PolicyDocuments.read("{\"spam\": {\"quarantineAt\": 8}}")), "seed");
        groups.add("finance", AddressPattern.parse(ALICE));
        assertThat(policies.resolve(ALICE).group()).contains("finance");

        database.down = true;
        clock.advance(CACHE_TTL.plusSeconds(1));
        PolicyResolution duringOutage = policies.resolve(ALICE);
        assertThat(duringOutage.group()).contains("finance");
        assertThat(duringOutage.policy().spam().quarantineAt()).contains(8.0);
        assertThat(groups.contains("finance", ALICE)).isTrue();
        clock.advance(CACHE_TTL.plusSeconds(1));
        assertThat(policies.resolve(ALICE).group()).as("still, a cache time later").contains("finance");
        assertThat(warnings(Groups.class)).as("one warning per outage, not one per cache time").hasSize(1)
            .allSatisfy(message -> assertThat(message).contains("cannot read the groups"));

        database.down = false;
        groups.add("finance", AddressPattern.parse(BOB));
        assertThat(policies.resolve(BOB).group()).as("read again once the database answers").contains("finance");

        database.down = true;
        clock.advance(CACHE_TTL.plusSeconds(1));
        assertThat(policies.resolve(BOB).group()).contains("finance");
        assertThat(warnings(Groups.class)).as("a second outage warns again").hasSize(2);
    }

    @Test
    void theSenderListsLastReadStayInForceThroughADatabaseOutage() {
        SenderLists lists = new SenderLists(database, CACHE_TTL, clock);
        lists.add(SenderList.BLOCK, AddressPattern.parse("*@spammer.test"), "test");
        assertThat(lists.match(SenderList.BLOCK, "x@spammer.test")).isPresent();

        database.down = true;
        clock.advance(CACHE_TTL.plusSeconds(1));
        assertThat(lists.match(SenderList.BLOCK, "x@spammer.test")).isPresent();
        assertThat(lists.match(SenderList.ALLOW, "x@spammer.test")).isEmpty();
    }

    @Test
    void aStoredDefaultThatNoLongerValidatesLeavesTheLastGoodOneInForce() throws SQLException {
        policies.seedIfEmpty(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT),
            Map.of("finance", PolicyDocuments.read("{\"spam\": {\"quarantineAt\": 8}}")), "seed");
        groups.add("finance", AddressPattern.parse(ALICE));
        String goodSubjectTag = "[ok]";
        policies.putDefault(PolicyDocuments.merge(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT),
            PolicyDocuments.read("{\"spam\": {\"subjectTag\": \"" + goodSubjectTag + "\"}}")), "admin");
        long goodVersion = policies.resolve(BOB).version();

        storeDefaultRefusedToday();
        clock.advance(CACHE_TTL.plusSeconds(1));

        PolicyResolution bob = policies.resolve(BOB);
        assertThat(bob.policy().spam().subjectTag()).isEqualTo(goodSubjectTag);
        assertThat(bob.version()).isEqualTo(goodVersion);
        PolicyResolution alice = policies.resolve(ALICE);
        assertThat(alice.group()).as("groups' policies still apply, over the last good default").contains("finance");
        assertThat(alice.policy().spam().quarantineAt()).contains(8.0);
        assertThat(alice.policy().spam().subjectTag()).isEqualTo(goodSubjectTag);
        assertThat(errors(Policies.class)).singleElement().asString().contains("spam.subjectTag");

        // An admin replaces it, as over the routes.
        policies.putDefault(PolicyDocuments.merge(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT),
            PolicyDocuments.read("{\"actions\": {\"virus\": \"strip\"}}")), "admin");
        assertThat(policies.resolve(BOB).policy().action(PolicyVerdict.VIRUS)).isEqualTo(PolicyAction.STRIP);
        assertThat(policies.resolve(BOB).policy().spam().subjectTag()).isEmpty();
    }

    @Test
    void aStoredDefaultThatNoLongerValidatesOnANodeThatNeverReadAGoodOneGivesTheBuiltInDefault() throws SQLException {
        policies.seedIfEmpty(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), Map.of(), "seed");
        storeDefaultRefusedToday();

        Policies freshNode = new Policies(database, groups, new SecurityEvents(database, "node-2"), CACHE_TTL, clock);
        PolicyResolution resolved = freshNode.resolve(BOB);

        assertThat(resolved.policy()).isEqualTo(PolicyDefaults.builtIn(OutbreakSettings.DEFAULT));
        assertThat(resolved.version()).isEqualTo(Policies.BUILT_IN_VERSION);
        assertThat(freshNode.currentDefault()).isEqualTo(PolicyDefaults.builtIn(OutbreakSettings.DEFAULT));
        assertThat(errors(Policies.class)).singleElement().asString().contains("spam.subjectTag");
    }

    /** A default written before subject tags with bidi characters were refused: straight into the table. */
    private void storeDefaultRefusedToday() throws SQLException {
        String document = PolicyDocuments.write(PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT)).replace("\"subjectTag\":\"\"",
            "\"subjectTag\":\"\\u202E\"");
        assertThat(document).contains("\\u202E");
        try (Connection connection = database.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO bulwark_policy_version (scope, document, change_kind, changed_at, changed_by)"
                 + " VALUES ('default', ?, 'put', ?, 'an older Bulwark')")) {
            insert.setString(1, document);
            insert.setLong(2, clock.instant().toEpochMilli());
            insert.executeUpdate();
        }
    }

    private List<String> warnings(Class<?> source) {
        return messages(source, Level.WARN);
    }

    private List<String> errors(Class<?> source) {
        return messages(source, Level.ERROR);
    }

    private List<String> messages(Class<?> source, Level level) {
        return log.list.stream().filter(event -> event.getLoggerName().equals(source.getName()) && event.getLevel() == level)
            .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static ch.qos.logback.classic.Logger logger(Class<?> source) {
        return (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(source);
    }

    /** A database that can be taken down: every new connection refused, as when the server is unreachable. */
    private static final class SwitchableDataSource implements DataSource {
        private final DataSource database;
        volatile boolean down;

        SwitchableDataSource(DataSource database) {
            this.database = database;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (down) {
                throw new SQLException("connection refused (the test took the database down)");
            }
            return database.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
