package dev.bulwark.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.bulwark.security.quarantine.QuarantineIndexTable;

/**
 * Bulwark's database: security events, sender lists and groups, the secrets all nodes share, and the quarantine's index. SQLite (a file beside James) for one
 * node; PostgreSQL when several James nodes must share lists, groups and events. The schema is created
 * on open when missing. Close it to release the connection pool.
 */
public final class SecurityStore implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final SecurityEvents events;
    private final SenderLists lists;
    private final Groups groups;
    private final Secrets secrets;
    private final QuarantineIndexTable quarantineIndex;
    private final dev.bulwark.security.policy.Policies policies;

    private SecurityStore(HikariDataSource dataSource, SecurityStoreConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.events = new SecurityEvents(dataSource, nodeName());
        this.lists = new SenderLists(dataSource, config.cacheTtl(), clock);
        this.groups = new Groups(dataSource, config.cacheTtl(), clock);
        this.secrets = new Secrets(dataSource);
        this.quarantineIndex = new QuarantineIndexTable(dataSource);
        this.policies = new dev.bulwark.security.policy.Policies(dataSource, groups, events, config.cacheTtl(), clock);
    }

    public static SecurityStore open(SecurityStoreConfig config, Clock clock) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setDriverClassName(config.dialect().driverClass());
        config.user().ifPresent(hikari::setUsername);
        config.password().ifPresent(hikari::setPassword);
        hikari.setMaximumPoolSize(config.maxConnections());
        hikari.setMinimumIdle(1);
        hikari.setPoolName("bulwark-security-store");
        hikari.setConnectionTimeout(10_000);
        // Fail at start-up, with the database's own message, rather than at the first mail; a
        // PostgreSQL starting beside James (docker compose) gets a few seconds.
        hikari.setInitializationFailTimeout(config.dialect() == Dialect.POSTGRESQL ? 10_000 : 1);
        if (config.dialect() == Dialect.SQLITE) {
            // Several James threads write events: wait for the lock instead of failing, and let readers read meanwhile.
            hikari.addDataSourceProperty("busy_timeout", "10000");
            hikari.addDataSourceProperty("journal_mode", "WAL");
        }
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the security store at " + config.jdbcUrl(), e);
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String ddl : config.dialect().schema()) {
                statement.execute(ddl);
            }
        } catch (SQLException e) {
            dataSource.close();
            throw new StoreException("cannot create the security store's tables at " + config.jdbcUrl(), e);
        }
        return new SecurityStore(dataSource, config, clock);
    }

    public SecurityEvents events() {
        return events;
    }

    public SenderLists lists() {
        return lists;
    }

    public Groups groups() {
        return groups;
    }

    public Secrets secrets() {
        return secrets;
    }

    /** The quarantine's index: what lists, counts and filters the quarantine without reading it. */
    public QuarantineIndexTable quarantineIndex() {
        return quarantineIndex;
    }

    /** The runtime policies: default and per group, versioned. */
    public dev.bulwark.security.policy.Policies policies() {
        return policies;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static String nodeName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
