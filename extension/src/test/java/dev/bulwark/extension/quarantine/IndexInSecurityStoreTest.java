package dev.bulwark.extension.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.internet.MimeMessage;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.core.MailAddress;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailrepository.file.FileMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.bulwark.quarantine.MailboxOrigin;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineEntryCodec;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SecurityStoreConfig;

/**
 * The quarantine indexed in a real SQLite security store, over James's file repository: every listing,
 * count and filter gives through the index exactly what reading the repository gives.
 */
class IndexInSecurityStoreTest {
    @TempDir
    Path directory;

    private SecurityStore security;
    private FileMailRepository repository;
    private final Clock[] now = {Clock.fixed(Instant.parse("2026-11-01T10:00:00.123456Z"), ZoneOffset.UTC)};
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now[0].instant();
        }
    };

    @BeforeEach
    void open() throws Exception {
        security = SecurityStore.open(SecurityStoreConfig.sqlite(directory.resolve("security.db").toString()), Clock.systemUTC());
        repository = fileRepository();
    }

    @AfterEach
    void close() {
        security.close();
    }

    @Test
    void listsCountsAndFiltersThroughTheIndexAsTheRepositoryDoes() throws Exception {
        QuarantineStore indexed = store(true);
        QuarantineStore scanning = store(false);
        store(indexed, "x@Evil.test", List.of("Bob@Example.com", "carol@example.com"), QuarantineReason.VIRUS, List.of("Win.Test.EICAR_HDB-1"));
        store(indexed, "y@evil.test", List.of("dave@other.test"), QuarantineReason.SUSPICIOUS, List.of("Heuristics.Limits.Exceeded"));
        store(indexed, null, List.of("bob@example.com"), QuarantineReason.SCAN_FAILED, List.of());
        QuarantineEntry spam = store(indexed, "z@spam.test", List.of("erin@example.com", "frank@example.com"), QuarantineReason.SPAM, List.of());
        indexed.release(spam.id(), Optional.of(List.of("erin@example.com")), "admin", mail -> { });
        indexed.reconcile(false, progress -> { });
        assertThat(indexed.indexInUse()).isTrue();

        List<QuarantineFilter> filters = List.of(QuarantineFilter.ALL, QuarantineFilter.EXPIRED,
            filter(Optional.of(QuarantineReason.VIRUS), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
            filter(Optional.empty(), Optional.of("@EVIL.TEST"), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
            filter(Optional.empty(), Optional.of("x@evil.TEST"), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
            filter(Optional.empty(), Optional.empty(), Optional.of("BOB@example.com"), Optional.empty(), Optional.empty(), Optional.empty()),
            filter(Optional.empty(), Optional.empty(), Optional.of("@example.com"), Optional.empty(), Optional.empty(), Optional.empty()),
            filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("LIMITS"), Optional.empty(), Optional.empty()),
            filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(Instant.parse("2026-11-01T10:01:00.123456Z")),
                Optional.of(Instant.parse("2026-11-01T10:03:00.123456Z"))),
            filter(Optional.of(QuarantineReason.SPAM), Optional.empty(), Optional.of("@example.com"), Optional.empty(), Optional.empty(), Optional.empty()));
        for (QuarantineFilter filter : filters) {
            assertThat(indexed.list(filter, 0, 100)).as(filter.toString()).isEqualTo(scanning.list(filter, 0, 100));
            assertThat(indexed.list(filter, 1, 2)).as(filter.toString()).isEqualTo(scanning.list(filter, 1, 2));
        }
        assertThat(indexed.counts()).isEqualTo(scanning.counts());
        assertThat(indexed.list(QuarantineFilter.ALL, 0, 1).entries()).singleElement()
            .satisfies(entry -> assertThat(entry.releasedRecipients()).containsExactly("erin@example.com"));

        now[0] = Clock.offset(now[0], Duration.ofDays(31));
        assertThat(indexed.list(QuarantineFilter.EXPIRED, 0, 100)).isEqualTo(scanning.list(QuarantineFilter.EXPIRED, 0, 100));
        assertThat(indexed.deleteMatching(QuarantineFilter.EXPIRED, entry -> { })).isEqualTo(4);
        assertThat(indexed.list(QuarantineFilter.ALL, 0, 100).total()).isZero();
        assertThat(security.quarantineIndex().count(dev.bulwark.security.quarantine.IndexQuery.ALL)).isZero();
    }

    @Test
    void aMailboxOriginAndASubjectAreKeptInTheRow() throws Exception {
        QuarantineStore indexed = store(true);
        indexed.store(mail("a@example.com", List.of("b@example.com")), QuarantineReason.VIRUS, List.of("Eicar"), Optional.empty(), Map.of(),
            Optional.of(new MailboxOrigin("bob@example.com", "INBOX", Optional.of("carol@example.com"))));
        indexed.reconcile(false, progress -> { });

        assertThat(indexed.list(QuarantineFilter.ALL, 0, 1).entries()).singleElement()
            .satisfies(entry -> {
                assertThat(entry.origin()).contains(new MailboxOrigin("bob@example.com", "INBOX", Optional.of("carol@example.com")));
                assertThat(entry.subject()).contains("Invoice");
            });
    }

    private QuarantineStore store(boolean withIndex) {
        return new QuarantineStore(() -> repository, Duration.ofDays(30), Duration.ofDays(14), clock,
            withIndex ? Optional.of(new IndexInSecurityStore(security.quarantineIndex(), new QuarantineEntryCodec())) : Optional.empty());
    }

    private QuarantineEntry store(QuarantineStore store, String sender, List<String> recipients, QuarantineReason reason, List<String> viruses)
        throws Exception {
        QuarantineEntry entry = store.store(mail(sender, recipients), reason, viruses, Optional.empty(), Map.of());
        now[0] = Clock.offset(now[0], Duration.ofMinutes(1));
        return entry;
    }

    private static QuarantineFilter filter(Optional<QuarantineReason> reason, Optional<String> sender, Optional<String> recipient,
                                           Optional<String> virus, Optional<Instant> after, Optional<Instant> before) {
        return new QuarantineFilter(reason, sender, recipient, virus, after, before, false);
    }

    private static MailImpl mail(String sender, List<String> recipients) throws Exception {
        String raw = "From: a@example.com\r\nTo: b@example.com\r\nSubject: Invoice\r\nMessage-ID: <m1@example.com>\r\n\r\nbody\r\n";
        MimeMessage message = new MimeMessageWrapper(MimeMessageInputStreamSource.create("source",
            new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))));
        MailImpl.Builder builder = MailImpl.builder().name("original").mimeMessage(message)
            .addRecipients(recipients.stream().map(IndexInSecurityStoreTest::address).toList());
        if (sender != null) {
            builder.sender(address(sender));
        }
        return builder.build();
    }

    private static MailAddress address(String value) {
        try {
            return new MailAddress(value);
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private FileMailRepository fileRepository() throws Exception {
        FileMailRepository repository = new FileMailRepository();
        repository.setFileSystem(new FileSystem() {
            @Override
            public InputStream getResource(String url) {
                throw new UnsupportedOperationException(url);
            }

            @Override
            public File getFile(String url) {
                return directory.resolve(url.replaceFirst("^file://", "")).toFile();
            }

            @Override
            public File getBasedir() {
                return directory.toFile();
            }
        });
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("[@destinationURL]", "file://var/mail/quarantine/");
        repository.configure(configuration);
        repository.init();
        return repository;
    }
}
