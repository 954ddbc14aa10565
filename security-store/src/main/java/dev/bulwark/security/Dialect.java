package dev.bulwark.security;

import java.util.List;

/** The two databases Bulwark supports, and the little SQL that differs between them. */
public enum Dialect {
    SQLITE("jdbc:sqlite:", "org.sqlite.JDBC", "INTEGER PRIMARY KEY"),
    POSTGRESQL("jdbc:postgresql:", "org.postgresql.Driver", "BIGSERIAL PRIMARY KEY");

    private final String prefix;
    private final String driverClass;
    private final String generatedKey;

    Dialect(String prefix, String driverClass, String generatedKey) {
        this.prefix = prefix;
        this.driverClass = driverClass;
        this.generatedKey = generatedKey;
    }

    /**
     * Named explicitly: inside James the drivers live in the extension jar's class loader, which
     * DriverManager's service discovery does not see.
     */
    String driverClass() {
        return driverClass;
    }

    public static Dialect of(String jdbcUrl) {
        for (Dialect dialect : values()) {
            if (jdbcUrl != null && jdbcUrl.startsWith(dialect.prefix)) {
                return dialect;
            }
        }
        throw new IllegalArgumentException("unsupported JDBC URL '" + jdbcUrl + "': expected jdbc:sqlite:<file> or jdbc:postgresql://host[:port]/database");
    }

    /** The schema, idempotent: every statement can run on every start. */
    List<String> schema() {
        return List.of(
            "CREATE TABLE IF NOT EXISTS bulwark_event ("
                + "id " + generatedKey + ", "
                + "occurred_at BIGINT NOT NULL, "
                + "kind VARCHAR(64) NOT NULL, "
                + "message_id VARCHAR(998), "
                + "sender VARCHAR(320), "
                + "recipients TEXT NOT NULL, "
                + "details TEXT NOT NULL, "
                + "node VARCHAR(255) NOT NULL)",
            "CREATE INDEX IF NOT EXISTS bulwark_event_time ON bulwark_event (occurred_at)",
            "CREATE INDEX IF NOT EXISTS bulwark_event_message ON bulwark_event (message_id)",
            "CREATE TABLE IF NOT EXISTS bulwark_list_entry ("
                + "list_name VARCHAR(16) NOT NULL, "
                + "pattern VARCHAR(320) NOT NULL, "
                + "comment VARCHAR(1000) NOT NULL, "
                + "created_at BIGINT NOT NULL, "
                + "PRIMARY KEY (list_name, pattern))",
            "CREATE TABLE IF NOT EXISTS bulwark_group_member ("
                + "group_name VARCHAR(64) NOT NULL, "
                + "member VARCHAR(320) NOT NULL, "
                + "created_at BIGINT NOT NULL, "
                + "PRIMARY KEY (group_name, member))",
            // Every change of a policy is a new row (version), never an update: the history and rollback.
            // scope: "default" or "group:<name>"; document NULL: the group's policy removed.
            "CREATE TABLE IF NOT EXISTS bulwark_policy_version ("
                + "version " + generatedKey + ", "
                + "scope VARCHAR(80) NOT NULL, "
                + "document TEXT, "
                + "change_kind VARCHAR(16) NOT NULL, "
                + "changed_at BIGINT NOT NULL, "
                + "changed_by VARCHAR(320) NOT NULL)",
            "CREATE INDEX IF NOT EXISTS bulwark_policy_scope ON bulwark_policy_version (scope, version)",
            "CREATE TABLE IF NOT EXISTS bulwark_secret ("
                + "name VARCHAR(64) PRIMARY KEY, "
                + "secret VARCHAR(512) NOT NULL)");
    }
}
