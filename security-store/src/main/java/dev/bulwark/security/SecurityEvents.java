package dev.bulwark.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The security event log: every event is one row in {@code bulwark_event} and one structured line in
 * the log (logger {@code bulwark.events}), so that log shippers see them without reading the database.
 */
public final class SecurityEvents {
    private static final Logger EVENT_LOG = LoggerFactory.getLogger("bulwark.events");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The log line: everything beyond ASCII escaped, so that no value can forge a line or reorder one (bidi). */
    private static final ObjectMapper LOG_JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    /** Column sizes of bulwark_event (Dialect): values are cut to them, never refused. */
    static final int MESSAGE_ID_MAX = 998;
    static final int SENDER_MAX = 320;
    /** A detail value: a folded header or a long list of names is cut here. */
    static final int DETAIL_MAX = 4000;

    private final DataSource dataSource;
    private final String node;

    SecurityEvents(DataSource dataSource, String node) {
        this.dataSource = dataSource;
        this.node = node;
    }

    /** Logs the event's line, stores the event (addresses in lower case), and returns it as stored (with its id). */
    public SecurityEvent record(SecurityEvent original) {
        SecurityEvent event = normalised(original);
        log(event);
        String sql = "INSERT INTO bulwark_event (occurred_at, kind, message_id, sender, recipients, details, node) VALUES (?, ?, ?, ?, ?, ?, ?)";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            bind(statement, event);
            statement.executeUpdate();
            try (ResultSet keys = statement.getGeneratedKeys()) {
                long id = keys.next() ? keys.getLong(1) : 0;
                return event.stored(id, node);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot record event " + event.kind(), e);
        }
    }

    /**
     * Stores several events (the async writer's batches, which wrote their log lines when they were
     * recorded): in one transaction, and when that fails, each on its own, so that one event the database
     * refuses never takes the others with it. A database that fails as a whole throws.
     *
     * @return the events that could not be stored, each with why
     */
    public List<String> recordAll(List<SecurityEvent> batch) {
        List<SecurityEvent> events = batch.stream().map(SecurityEvents::normalised).toList();
        try (Connection connection = dataSource.getConnection()) {
            try {
                insertAll(connection, events);
                return List.of();
            } catch (SQLException e) {
                if (!isRowProblem(e)) {
                    throw e;
                }
            }
            List<String> refused = new ArrayList<>();
            for (SecurityEvent event : events) {
                try {
                    insertAll(connection, List.of(event));
                } catch (SQLException e) {
                    if (!isRowProblem(e)) {
                        throw e;
                    }
                    refused.add(event.kind() + " " + event.messageId().map(LogText::of).orElse("(no Message-ID)") + ": " + LogText.of(e.getMessage()));
                }
            }
            return refused;
        } catch (SQLException e) {
            throw new StoreException("cannot record " + batch.size() + " events", e);
        }
    }

    /**
     * One row, not the database, is refused: a value the table does not take (SQL state classes 22 and 23), a
     * trigger that refuses it (PostgreSQL's P0001; SQLite's constraint errors), SQLite's too big or mismatched
     * value. Anything else (connection gone, transaction rolled back, table missing, database locked) is the
     * store failing: the batch is kept and written again later, never dropped row by row.
     */
    private static boolean isRowProblem(SQLException e) {
        String state = String.valueOf(e.getSQLState());
        String message = String.valueOf(e.getMessage());
        return state.startsWith("22") || state.startsWith("23") || state.equals("P0001")
            || message.contains("SQLITE_CONSTRAINT") || message.contains("SQLITE_TOOBIG") || message.contains("SQLITE_MISMATCH");
    }

    private void insertAll(Connection connection, List<SecurityEvent> events) throws SQLException {
        String sql = "INSERT INTO bulwark_event (occurred_at, kind, message_id, sender, recipients, details, node) VALUES (?, ?, ?, ?, ?, ?, ?)";
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (SecurityEvent event : events) {
                bind(statement, event);
                statement.addBatch();
            }
            statement.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Addresses in lower case, and every column within its size (a header can be any length): cut, never
     * refused; NUL characters, which PostgreSQL refuses in text, replaced.
     */
    private static SecurityEvent normalised(SecurityEvent original) {
        return new SecurityEvent(0, original.time(), original.kind(), original.messageId().map(id -> column(id, MESSAGE_ID_MAX)),
            original.sender().map(s -> column(s.toLowerCase(Locale.ROOT), SENDER_MAX)),
            original.recipients().stream().map(r -> column(r.toLowerCase(Locale.ROOT), SENDER_MAX)).toList(),
            original.details().entrySet().stream().collect(java.util.stream.Collectors.toMap(e -> column(e.getKey(), 64),
                e -> column(e.getValue(), DETAIL_MAX), (a, b) -> a)), "");
    }

    /** At most {@code max} characters (never half a surrogate pair), without NUL. */
    static String column(String value, int max) {
        String clean = value.replace('\0', '\uFFFD');
        if (clean.length() <= max) {
            return clean;
        }
        int end = max - 3;
        if (Character.isLowSurrogate(clean.charAt(end)) && Character.isHighSurrogate(clean.charAt(end - 1))) {
            end--;
        }
        return clean.substring(0, end) + "...";
    }

    /**
     * Writes the event's line to the event log (logger {@code bulwark.events}, INFO): one JSON object
     * with {@code time}, {@code kind}, {@code messageId}, {@code sender}, {@code recipients} (addresses in
     * lower case), {@code details} and {@code node}. The audit trail for log shippers
     * (james-conf/logback-bulwark-events-*.xml).
     */
    public void log(SecurityEvent original) {
        if (EVENT_LOG.isInfoEnabled()) {
            SecurityEvent event = normalised(original);
            Map<String, Object> line = new java.util.LinkedHashMap<>();
            line.put("time", event.time().toString());
            line.put("kind", event.kind());
            line.put("messageId", event.messageId().orElse(null));
            line.put("sender", event.sender().orElse(null));
            line.put("recipients", event.recipients());
            line.put("details", event.details());
            line.put("node", node);
            try {
                EVENT_LOG.info(LOG_JSON.writeValueAsString(line));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void bind(PreparedStatement statement, SecurityEvent event) throws SQLException {
        statement.setLong(1, event.time().toEpochMilli());
        statement.setString(2, event.kind());
        statement.setString(3, event.messageId().orElse(null));
        statement.setString(4, event.sender().orElse(null));
        statement.setString(5, json(event.recipients()));
        statement.setString(6, json(event.details()));
        statement.setString(7, node);
    }

    public List<SecurityEvent> find(EventQuery query) {
        StringBuilder sql = new StringBuilder("SELECT id, occurred_at, kind, message_id, sender, recipients, details, node FROM bulwark_event WHERE 1 = 1");
        List<Object> parameters = new ArrayList<>();
        query.kind().ifPresent(kind -> {
            sql.append(" AND kind = ?");
            parameters.add(kind);
        });
        query.messageId().ifPresent(id -> {
            sql.append(" AND message_id = ?");
            parameters.add(id);
        });
        query.sender().ifPresent(sender -> {
            sql.append(" AND sender = ?");
            parameters.add(sender.toLowerCase(Locale.ROOT));
        });
        query.recipient().ifPresent(recipient -> {
            // recipients is a JSON array of lower-case addresses: match one whole element.
            sql.append(" AND recipients LIKE ? ESCAPE '\\'");
            parameters.add("%" + json(recipient.toLowerCase(Locale.ROOT)).replace("%", "\\%").replace("_", "\\_") + "%");
        });
        query.after().ifPresent(after -> {
            sql.append(" AND occurred_at >= ?");
            parameters.add(after.toEpochMilli());
        });
        query.before().ifPresent(before -> {
            sql.append(" AND occurred_at < ?");
            parameters.add(before.toEpochMilli());
        });
        sql.append(" ORDER BY occurred_at DESC, id DESC LIMIT ").append(query.limit()).append(" OFFSET ").append(query.offset());
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            List<SecurityEvent> events = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    events.add(new SecurityEvent(rows.getLong(1), Instant.ofEpochMilli(rows.getLong(2)), rows.getString(3),
                        Optional.ofNullable(rows.getString(4)), Optional.ofNullable(rows.getString(5)),
                        read(rows.getString(6), new TypeReference<List<String>>() { }),
                        read(rows.getString(7), new TypeReference<Map<String, String>>() { }), rows.getString(8)));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new StoreException("cannot read events", e);
        }
    }

    /** Rows read at most to rank viruses, senders and recipients of one window. */
    static final int MAX_RANKED_ROWS = 50_000;

    /** Totals, a series of {@code bucket}-sized counts, and top-10 rankings over [from, to). */
    public EventStatistics statistics(Instant from, Instant to, java.time.Duration bucket) {
        long bucketMillis = bucket.toMillis();
        Map<String, Long> totals = new java.util.TreeMap<>();
        Map<Long, Map<String, Long>> series = new java.util.TreeMap<>();
        String counts = "SELECT kind, occurred_at / ? AS bucket, COUNT(*) FROM bulwark_event WHERE occurred_at >= ? AND occurred_at < ? GROUP BY kind, bucket";
        Map<String, Long> viruses = new java.util.HashMap<>();
        Map<String, Long> senders = new java.util.HashMap<>();
        Map<String, Long> recipients = new java.util.HashMap<>();
        String infected = "SELECT sender, recipients, details FROM bulwark_event WHERE kind = 'verdict.infected' AND occurred_at >= ? AND occurred_at < ? LIMIT " + MAX_RANKED_ROWS;
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement statement = connection.prepareStatement(counts)) {
                statement.setLong(1, bucketMillis);
                statement.setLong(2, from.toEpochMilli());
                statement.setLong(3, to.toEpochMilli());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        String kind = rows.getString(1);
                        long count = rows.getLong(3);
                        totals.merge(kind, count, Long::sum);
                        series.computeIfAbsent(rows.getLong(2), b -> new java.util.TreeMap<>()).merge(kind, count, Long::sum);
                    }
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(infected)) {
                statement.setLong(1, from.toEpochMilli());
                statement.setLong(2, to.toEpochMilli());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        Optional.ofNullable(rows.getString(1)).ifPresent(sender -> senders.merge(sender, 1L, Long::sum));
                        read(rows.getString(2), new TypeReference<List<String>>() { }).forEach(r -> recipients.merge(r, 1L, Long::sum));
                        String names = read(rows.getString(3), new TypeReference<Map<String, String>>() { }).getOrDefault("virusNames", "");
                        java.util.Arrays.stream(names.split(",")).map(String::trim).filter(n -> !n.isEmpty())
                            .forEach(name -> viruses.merge(name, 1L, Long::sum));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot compute event statistics", e);
        }
        List<EventStatistics.Bucket> buckets = series.entrySet().stream()
            .map(e -> new EventStatistics.Bucket(Instant.ofEpochMilli(e.getKey() * bucketMillis), Map.copyOf(e.getValue())))
            .toList();
        return new EventStatistics(from, to, Map.copyOf(totals), buckets, top(viruses), top(senders), top(recipients));
    }

    private static List<EventStatistics.Ranked> top(Map<String, Long> counts) {
        return counts.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .limit(10)
            .map(e -> new EventStatistics.Ranked(e.getKey(), e.getValue()))
            .toList();
    }

    /** Deletes events older than {@code before}, in batches so that a long purge never holds the database. */
    public long deleteBefore(Instant before) throws InterruptedException {
        long deleted = 0;
        String sql = "DELETE FROM bulwark_event WHERE id IN (SELECT id FROM bulwark_event WHERE occurred_at < ? ORDER BY id LIMIT 1000)";
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("event purge cancelled after " + deleted + " events");
            }
            try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setLong(1, before.toEpochMilli());
                int count = statement.executeUpdate();
                deleted += count;
                if (count == 0) {
                    return deleted;
                }
            } catch (SQLException e) {
                throw new StoreException("cannot delete old events", e);
            }
        }
    }

    /** Counts events of a kind in [after, before): statistics without reading rows. */
    public long count(String kind, Instant after, Instant before) {
        String sql = "SELECT COUNT(*) FROM bulwark_event WHERE kind = ? AND occurred_at >= ? AND occurred_at < ?";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, kind);
            statement.setLong(2, after.toEpochMilli());
            statement.setLong(3, before.toEpochMilli());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot count events", e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable event column: " + e.getOriginalMessage(), e);
        }
    }
}
