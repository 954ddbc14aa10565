package dev.bulwark.security;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the security store lives and how it is used.
 *
 * @param jdbcUrl        {@code jdbc:sqlite:<file>} (one James node) or {@code jdbc:postgresql://host/db} (several nodes)
 * @param user           database user (PostgreSQL)
 * @param password       database password (PostgreSQL)
 * @param maxConnections pool size
 * @param cacheTtl       how long lists and groups are read from memory before the database is asked again:
 *                       the longest a change made on another node takes to apply here
 */
public record SecurityStoreConfig(String jdbcUrl, Optional<String> user, Optional<String> password, int maxConnections,
                                  Duration cacheTtl) {
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_CONNECTIONS = 4;

    public SecurityStoreConfig {
        Dialect.of(jdbcUrl);
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("cacheTtl must not be negative");
        }
    }

    public static SecurityStoreConfig sqlite(String file) {
        return new SecurityStoreConfig("jdbc:sqlite:" + file, Optional.empty(), Optional.empty(), DEFAULT_MAX_CONNECTIONS, DEFAULT_CACHE_TTL);
    }

    public Dialect dialect() {
        return Dialect.of(jdbcUrl);
    }
}
