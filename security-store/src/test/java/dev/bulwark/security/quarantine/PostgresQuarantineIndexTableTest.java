package dev.bulwark.security.quarantine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import dev.bulwark.security.PostgresServer;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SecurityStoreConfig;

/** The same index on a real PostgreSQL (Debian's), as several James nodes share it: the SQL both databases must accept. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresQuarantineIndexTableTest extends QuarantineIndexTableTest {
    private PostgresServer postgres;

    @BeforeAll
    void start() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    void stop() {
        postgres.close();
    }

    @Override
    SecurityStore newStore() {
        return SecurityStore.open(new SecurityStoreConfig(postgres.jdbcUrl(), Optional.of("bulwark"), Optional.of("bulwark"), 4,
            Duration.ofSeconds(5)), Clock.systemUTC());
    }
}
