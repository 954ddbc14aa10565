package dev.bulwark.security;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;

import javax.sql.DataSource;

/**
 * Server-side secrets every node sharing the store must agree on (the key of the pipeline's scan
 * stamp), made once: the first node to ask writes a random value, every node then reads that one.
 */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;

    Secrets(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The named secret, {@code bytes} random bytes made on first use; the same on every node and after restarts. */
    public byte[] getOrCreate(String name, int bytes) {
        byte[] fresh = new byte[bytes];
        RANDOM.nextBytes(fresh);
        // Two nodes starting at once: the insert of the second is ignored, and both read the first's.
        String insert = "INSERT INTO bulwark_secret (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING";
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement statement = connection.prepareStatement(insert)) {
                statement.setString(1, name);
                statement.setString(2, Base64.getEncoder().encodeToString(fresh));
                statement.executeUpdate();
            }
            try (PreparedStatement statement = connection.prepareStatement("SELECT secret FROM bulwark_secret WHERE name = ?")) {
                statement.setString(1, name);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        throw new IllegalStateException("secret " + name + " vanished after it was written");
                    }
                    return Base64.getDecoder().decode(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read or create secret " + name, e);
        }
    }
}
