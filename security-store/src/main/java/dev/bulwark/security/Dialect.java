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
            // The dashboard's statistics: counts per kind and time bucket from the index alone, and a window's
            // detections found without reading its other events.
            "CREATE INDEX IF NOT EXISTS bulwark_event_time_kind ON bulwark_event (occurred_at, kind)",
            "CREATE INDEX IF NOT EXISTS bulwark_event_kind_time ON bulwark_event (kind, occurred_at)",
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
                + "secret VARCHAR(512) NOT NULL)",
            // The quarantine index (dev.bulwark.security.quarantine): times in microseconds, addresses and virus names lower-case.
            "CREATE TABLE IF NOT EXISTS bulwark_quarantine_entry ("
                + "id VARCHAR(128) PRIMARY KEY, "
                + "stored_at BIGINT NOT NULL, "
                + "expires_at BIGINT NOT NULL, "
                + "reason VARCHAR(32) NOT NULL, "
                + "sender VARCHAR(320), "
                + "sender_domain VARCHAR(320), "
                + "subject TEXT, "
                + "size BIGINT NOT NULL, "
                + "released VARCHAR(8) NOT NULL, "
                + "origin_owner VARCHAR(320), "
                + "origin_mailbox TEXT)",
            // The entries' JSON apart from the rows filters scan: a filter no index serves (a virus name part) then
            // reads rows of a few hundred bytes, and only the page's JSON is read.
            "CREATE TABLE IF NOT EXISTS bulwark_quarantine_json ("
                + "id VARCHAR(128) PRIMARY KEY, "
                + "entry TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS bulwark_quarantine_entry_time ON bulwark_quarantine_entry (stored_at DESC, id)",
            "CREATE INDEX IF NOT EXISTS bulwark_quarantine_entry_reason ON bulwark_quarantine_entry (reason, stored_at)",
            "CREATE INDEX IF NOT EXISTS bulwark_quarantine_entry_sender ON bulwark_quarantine_entry (sender)",
            "CREATE INDEX IF NOT EXISTS bulwark_quarantine_entry_sender_domain ON bulwark_quarantine_entry (sender_domain)",
            "CREATE INDEX IF NOT EXISTS bulwark_quarantine_entry_expiry ON bulwark_quarantine_entry (expires_at)",
            // Recipients carry their entry's stored time: a recipient filter with a time range narrows on this index alone.
            "CREATE TABLE IF NOT EXISTS bulwark_quarantine_recipient ("
                + "entry_id VARCHAR(128) NOT NULL, "
                + "address VARCHAR(320) NOT NULL, "
                + "domain VARCHAR(320) NOT NULL, "
                + "stored_at BIGINT NOT NULL, "
                + "PRIMARY KEY (entry_id, address))",
            "CREATE INDEX IF NOT EXISTS bulwark_quarantine_recipient_address ON bulwark_quarantine_recipient (address, stored_at, entry_id)",
            "CREATE INDEX IF NOT EXISTS bulwark_quarantine_recipient_domain ON bulwark_quarantine_recipient (domain, stored_at, entry_id)",
            // One row per virus name: a name part is matched on this narrow index, not on every entry's row.
            "CREATE TABLE IF NOT EXISTS bulwark_quarantine_virus ("
                + "entry_id VARCHAR(128) NOT NULL, "
                + "name VARCHAR(255) NOT NULL, "
                + "PRIMARY KEY (entry_id, name))",
            "CREATE INDEX IF NOT EXISTS bulwark_quarantine_virus_name ON bulwark_quarantine_virus (name, entry_id)");
    }
}
