package dev.bulwark.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

/** The allow and block lists of sender patterns, shared by every James node on the same database. */
public final class SenderLists {
    private final DataSource dataSource;
    private final Clock clock;
    private final CachedSnapshot<List<ListEntry>> snapshot;

    SenderLists(DataSource dataSource, Duration cacheTtl, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        // Through a database outage the lists last read stay in force (as groups and policies do): failing every
        // mail's list check would send all mail to the error processor.
        this.snapshot = CachedSnapshot.keepingLastGood(this::load, cacheTtl, clock, org.slf4j.LoggerFactory.getLogger(SenderLists.class), "Sender lists");
    }

    /** Adds the pattern; false when it was already on the list (the first comment is kept). */
    public boolean add(SenderList list, AddressPattern pattern, String comment) {
        String sql = "INSERT INTO bulwark_list_entry (list_name, pattern, comment, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, list.asString());
            statement.setString(2, pattern.value());
            statement.setString(3, comment == null ? "" : comment);
            statement.setLong(4, clock.instant().toEpochMilli());
            return statement.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot add " + pattern + " to the " + list.asString() + " list", e);
        } finally {
            snapshot.invalidate();
        }
    }

    public boolean remove(SenderList list, AddressPattern pattern) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("DELETE FROM bulwark_list_entry WHERE list_name = ? AND pattern = ?")) {
            statement.setString(1, list.asString());
            statement.setString(2, pattern.value());
            return statement.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot remove " + pattern + " from the " + list.asString() + " list", e);
        } finally {
            snapshot.invalidate();
        }
    }

    /** The list's entries, read from the database (not the cache), in pattern order. */
    public List<ListEntry> entries(SenderList list) {
        return load().stream().filter(entry -> entry.list() == list).toList();
    }

    /** The first entry of the list matching the address, from the cache. */
    public Optional<ListEntry> match(SenderList list, String address) {
        return snapshot.get().stream().filter(entry -> entry.list() == list && entry.pattern().matches(address)).findFirst();
    }

    private List<ListEntry> load() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                 "SELECT list_name, pattern, comment, created_at FROM bulwark_list_entry ORDER BY list_name, pattern");
             ResultSet rows = statement.executeQuery()) {
            List<ListEntry> entries = new ArrayList<>();
            while (rows.next()) {
                entries.add(new ListEntry(SenderList.of(rows.getString(1)), new AddressPattern(rows.getString(2)), rows.getString(3),
                    Instant.ofEpochMilli(rows.getLong(4))));
            }
            return List.copyOf(entries);
        } catch (SQLException e) {
            throw new StoreException("cannot read the sender lists", e);
        }
    }
}
