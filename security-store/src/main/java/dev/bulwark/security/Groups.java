package dev.bulwark.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

/**
 * Named groups of users or domains ("client groups"), each processed its own way by
 * {@code RecipientInGroup=name} in mailetcontainer.xml. A group exists while it has members.
 */
public final class Groups {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private final DataSource dataSource;
    private final Clock clock;
    private final CachedSnapshot<Map<String, Set<AddressPattern>>> snapshot;

    Groups(DataSource dataSource, Duration cacheTtl, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        // Mail is matched against the groups last read while the database is down, not failed.
        this.snapshot = CachedSnapshot.keepingLastGood(this::load, cacheTtl, clock, org.slf4j.LoggerFactory.getLogger(Groups.class), "Groups");
    }

    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + (name == null ? "" : name.replaceAll("\\p{Cntrl}", "?"))
                + "' is not a group name: expected 1 to 64 lower-case letters, digits, '-' or '_'");
        }
        return name;
    }

    public boolean add(String group, AddressPattern member) {
        String sql = "INSERT INTO bulwark_group_member (group_name, member, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, checkName(group));
            statement.setString(2, member.value());
            statement.setLong(3, clock.instant().toEpochMilli());
            return statement.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot add " + member + " to group " + group, e);
        } finally {
            snapshot.invalidate();
        }
    }

    public boolean remove(String group, AddressPattern member) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("DELETE FROM bulwark_group_member WHERE group_name = ? AND member = ?")) {
            statement.setString(1, checkName(group));
            statement.setString(2, member.value());
            return statement.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot remove " + member + " from group " + group, e);
        } finally {
            snapshot.invalidate();
        }
    }

    /** Every group and its members, read from the database. */
    public Map<String, Set<AddressPattern>> all() {
        return load();
    }

    /** Whether the address belongs to the group, from the cache (the last groups read while the database is down). */
    public boolean contains(String group, String address) {
        return snapshot.get().getOrDefault(group, Set.of()).stream().anyMatch(member -> member.matches(address));
    }

    /** The groups the address belongs to, by name, from the cache (the last groups read while the database is down). */
    public java.util.SortedSet<String> groupsOf(String address) {
        java.util.SortedSet<String> names = new TreeSet<>();
        snapshot.get().forEach((name, members) -> {
            if (members.stream().anyMatch(member -> member.matches(address))) {
                names.add(name);
            }
        });
        return names;
    }

    private Map<String, Set<AddressPattern>> load() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT group_name, member FROM bulwark_group_member");
             ResultSet rows = statement.executeQuery()) {
            Map<String, Set<AddressPattern>> groups = new TreeMap<>();
            while (rows.next()) {
                groups.computeIfAbsent(rows.getString(1), name -> new TreeSet<>(java.util.Comparator.comparing(AddressPattern::value)))
                    .add(new AddressPattern(rows.getString(2)));
            }
            return groups.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue())));
        } catch (SQLException e) {
            throw new StoreException("cannot read the groups", e);
        }
    }

    List<String> names() {
        return List.copyOf(load().keySet());
    }
}
