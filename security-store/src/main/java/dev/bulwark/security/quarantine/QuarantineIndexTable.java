package dev.bulwark.security.quarantine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.sql.DataSource;

import dev.bulwark.security.StoreException;

/**
 * The quarantine index in the security store: {@code bulwark_quarantine_entry} (one row per entry with its
 * filterable fields), {@code bulwark_quarantine_json} (the entry's JSON, read only for the rows of a page) and
 * {@code bulwark_quarantine_recipient} and {@code bulwark_quarantine_virus} (one row per recipient, per virus name, for
 * the filters on them). Addresses and virus names are kept lower-case, so that
 * case-insensitive filters are plain comparisons an index can serve on both databases. Times are kept in
 * microseconds since the epoch, the precision of the clock that stamps entries.
 */
public final class QuarantineIndexTable {
    /** Rows written per transaction by {@link #put}: a reindex of many entries commits as it goes. */
    static final int BATCH = 500;

    private static final String UPSERT = "INSERT INTO bulwark_quarantine_entry (id, stored_at, expires_at, reason, sender, sender_domain, "
        + "subject, size, released, origin_owner, origin_mailbox) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        + "ON CONFLICT (id) DO UPDATE SET stored_at = excluded.stored_at, expires_at = excluded.expires_at, reason = excluded.reason, "
        + "sender = excluded.sender, sender_domain = excluded.sender_domain, "
        + "subject = excluded.subject, size = excluded.size, released = excluded.released, origin_owner = excluded.origin_owner, "
        + "origin_mailbox = excluded.origin_mailbox";
    private static final String UPSERT_JSON = "INSERT INTO bulwark_quarantine_json (id, entry) VALUES (?, ?) "
        + "ON CONFLICT (id) DO UPDATE SET entry = excluded.entry";

    private final DataSource dataSource;

    public QuarantineIndexTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Adds the entries, or replaces the rows of those already indexed. */
    public void put(Collection<IndexedEntry> entries) {
        List<IndexedEntry> all = List.copyOf(entries);
        for (int from = 0; from < all.size(); from += BATCH) {
            putBatch(all.subList(from, Math.min(all.size(), from + BATCH)));
        }
    }

    private void putBatch(List<IndexedEntry> entries) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement upsert = connection.prepareStatement(UPSERT);
                 PreparedStatement json = connection.prepareStatement(UPSERT_JSON);
                 PreparedStatement forget = connection.prepareStatement("DELETE FROM bulwark_quarantine_recipient WHERE entry_id = ?");
                 PreparedStatement recipient = connection.prepareStatement(
                     "INSERT INTO bulwark_quarantine_recipient (entry_id, address, domain, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement forgetViruses = connection.prepareStatement("DELETE FROM bulwark_quarantine_virus WHERE entry_id = ?");
                 PreparedStatement virus = connection.prepareStatement(
                     "INSERT INTO bulwark_quarantine_virus (entry_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                for (IndexedEntry entry : entries) {
                    bind(upsert, entry);
                    upsert.addBatch();
                    json.setString(1, entry.id());
                    json.setString(2, entry.json());
                    json.addBatch();
                    forget.setString(1, entry.id());
                    forget.addBatch();
                    forgetViruses.setString(1, entry.id());
                    forgetViruses.addBatch();
                    for (String name : entry.virusNames()) {
                        virus.setString(1, entry.id());
                        virus.setString(2, lower(name));
                        virus.addBatch();
                    }
                    for (String address : entry.recipients()) {
                        recipient.setString(1, entry.id());
                        recipient.setString(2, lower(address));
                        recipient.setString(3, domain(address));
                        recipient.setLong(4, micros(entry.storedAt()));
                        recipient.addBatch();
                    }
                }
                upsert.executeBatch();
                json.executeBatch();
                forget.executeBatch();
                recipient.executeBatch();
                forgetViruses.executeBatch();
                virus.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot index " + entries.size() + " quarantine entries", e);
        }
    }

    /** @return whether the entry was indexed */
    public boolean remove(String id) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement recipients = connection.prepareStatement("DELETE FROM bulwark_quarantine_recipient WHERE entry_id = ?");
                 PreparedStatement viruses = connection.prepareStatement("DELETE FROM bulwark_quarantine_virus WHERE entry_id = ?");
                 PreparedStatement json = connection.prepareStatement("DELETE FROM bulwark_quarantine_json WHERE id = ?");
                 PreparedStatement entry = connection.prepareStatement("DELETE FROM bulwark_quarantine_entry WHERE id = ?")) {
                recipients.setString(1, id);
                recipients.executeUpdate();
                viruses.setString(1, id);
                viruses.executeUpdate();
                json.setString(1, id);
                json.executeUpdate();
                entry.setString(1, id);
                boolean removed = entry.executeUpdate() == 1;
                connection.commit();
                return removed;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot remove quarantine entry " + id + " from the index", e);
        }
    }

    /** The rows the query matches, newest first (ties by id), from {@code offset}; and how many match in all. */
    public IndexPage page(IndexQuery query, int offset, int limit) {
        Where where = where(query);
        List<String> entries = new ArrayList<>();
        // The page's ids first, then their JSON: only the page's rows are joined, whatever plan finds them.
        String sql = "SELECT j.entry FROM (SELECT e.id, e.stored_at FROM bulwark_quarantine_entry e" + where.sql()
            + " ORDER BY e.stored_at DESC, e.id ASC LIMIT ? OFFSET ?) p JOIN bulwark_quarantine_json j ON j.id = p.id"
            + " ORDER BY p.stored_at DESC, p.id ASC";
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int next = where.bind(statement);
                statement.setInt(next, limit);
                statement.setInt(next + 1, offset);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        entries.add(rows.getString(1));
                    }
                }
            }
            long total = entries.size() < limit && (offset == 0 || !entries.isEmpty())
                ? offset + entries.size() // the page ends before the limit: the count is known without counting
                : count(connection, where);
            return new IndexPage(total, entries);
        } catch (SQLException e) {
            throw new StoreException("cannot list the quarantine index", e);
        }
    }

    /** How many rows the query matches. */
    public long count(IndexQuery query) {
        try (Connection connection = dataSource.getConnection()) {
            return count(connection, where(query));
        } catch (SQLException e) {
            throw new StoreException("cannot count the quarantine index", e);
        }
    }

    private static long count(Connection connection, Where where) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM bulwark_quarantine_entry e" + where.sql())) {
            where.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Rows per reason (reasons without a row are absent). */
    public Map<String, Long> countsByReason() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT reason, COUNT(*) FROM bulwark_quarantine_entry GROUP BY reason");
             ResultSet rows = statement.executeQuery()) {
            Map<String, Long> counts = new TreeMap<>();
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
            return counts;
        } catch (SQLException e) {
            throw new StoreException("cannot count the quarantine index", e);
        }
    }

    /** The ids of the rows the query matches, in no particular order. */
    public List<String> ids(IndexQuery query) {
        Where where = where(query);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT e.id FROM bulwark_quarantine_entry e" + where.sql())) {
            where.bind(statement);
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException("cannot read the quarantine index", e);
        }
    }

    private static void bind(PreparedStatement statement, IndexedEntry entry) throws SQLException {
        statement.setString(1, entry.id());
        statement.setLong(2, micros(entry.storedAt()));
        statement.setLong(3, micros(entry.expiresAt()));
        statement.setString(4, entry.reason());
        setOptional(statement, 5, entry.sender().map(QuarantineIndexTable::lower));
        setOptional(statement, 6, entry.sender().map(QuarantineIndexTable::domain));
        setOptional(statement, 7, entry.subject());
        statement.setLong(8, entry.size());
        statement.setString(9, entry.released().asString());
        setOptional(statement, 10, entry.originOwner());
        setOptional(statement, 11, entry.originMailbox());
    }

    private static void setOptional(PreparedStatement statement, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            statement.setString(index, value.get());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    /** A WHERE clause and its values, in order. */
    private record Where(String sql, List<Object> values) {
        int bind(PreparedStatement statement) throws SQLException {
            int index = 1;
            for (Object value : values) {
                if (value instanceof Long number) {
                    statement.setLong(index++, number);
                } else {
                    statement.setString(index++, (String) value);
                }
            }
            return index;
        }
    }

    private static Where where(IndexQuery query) {
        List<String> conditions = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        query.reason().ifPresent(reason -> {
            conditions.add("e.reason = ?");
            values.add(reason);
        });
        query.sender().ifPresent(sender -> {
            if (sender.startsWith("@")) {
                conditions.add("e.sender_domain = ?");
                values.add(lower(sender.substring(1)));
            } else {
                conditions.add("e.sender = ?");
                values.add(lower(sender));
            }
        });
        query.recipient().ifPresent(recipient -> {
            String column = recipient.startsWith("@") ? "r.domain" : "r.address";
            // IN rather than EXISTS: both databases then read the recipient's rows by its index, not every entry's; the
            // time range repeated inside narrows them on the same index.
            StringBuilder rows = new StringBuilder("SELECT r.entry_id FROM bulwark_quarantine_recipient r WHERE " + column + " = ?");
            values.add(recipient.startsWith("@") ? lower(recipient.substring(1)) : lower(recipient));
            query.after().ifPresent(after -> {
                rows.append(" AND r.stored_at >= ?");
                values.add(micros(after));
            });
            query.before().ifPresent(before -> {
                rows.append(" AND r.stored_at < ?");
                values.add(micros(before));
            });
            conditions.add("e.id IN (" + rows + ")");
        });
        query.virus().ifPresent(virus -> {
            conditions.add("e.id IN (SELECT v.entry_id FROM bulwark_quarantine_virus v WHERE v.name LIKE ? ESCAPE '!')");
            values.add("%" + lower(virus).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        });
        query.after().ifPresent(after -> {
            conditions.add("e.stored_at >= ?");
            values.add(micros(after));
        });
        query.before().ifPresent(before -> {
            conditions.add("e.stored_at < ?");
            values.add(micros(before));
        });
        query.expiredAt().ifPresent(now -> {
            conditions.add("e.expires_at <= ?");
            values.add(micros(now));
        });
        return new Where(conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions), values);
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    private static String lower(String value) {
        return value.toLowerCase(Locale.ROOT);
    }

    /** The part after the last '@', lower-case; the whole value for one without. */
    private static String domain(String address) {
        return lower(address.substring(address.lastIndexOf('@') + 1));
    }
}
