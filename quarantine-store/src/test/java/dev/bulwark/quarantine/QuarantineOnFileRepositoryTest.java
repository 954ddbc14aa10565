package dev.bulwark.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailrepository.file.FileMailRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quarantine on James's file:// repository (the default backend), written and listed at the same
 * time, as the Quarantine mailet and webadmin do. The file repository takes an entry it reads while it
 * is being written for corrupt and deletes it; the store must never let that happen.
 */
class QuarantineOnFileRepositoryTest {
    private static final int ENTRIES = 120;

    @TempDir
    Path directory;

    @Test
    void listingWhileStoringAndRescanningLosesNothingAndFailsNothing() throws Exception {
        FileMailRepository repository = fileRepository();
        QuarantineStore store = new QuarantineStore(() -> repository, Duration.ofDays(30), Clock.systemUTC());
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch written = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            Future<?> writer = threads.submit(() -> {
                try {
                    for (int i = 0; i < ENTRIES; i++) {
                        QuarantineEntry entry = store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"),
                            QuarantineReason.SUSPICIOUS, List.of("Heuristics.Test"), Optional.empty(), Map.of());
                        // An entry written again in place, as a release or a rescan does.
                        store.recordRescan(entry.id(), new Rescan(java.time.Instant.now(), "clean", List.of(), Optional.empty()));
                    }
                } catch (Exception e) {
                    failures.add("writer: " + e);
                } finally {
                    written.countDown();
                }
                return null;
            });
            for (int reader = 0; reader < 2; reader++) {
                threads.submit(() -> {
                    while (written.getCount() > 0) {
                        try {
                            store.list(QuarantineFilter.ALL, 0, 1000);
                        } catch (RuntimeException e) {
                            failures.add("reader: " + e);
                        }
                    }
                    return null;
                });
            }
            writer.get(2, TimeUnit.MINUTES);
        } finally {
            threads.shutdown();
            assertThat(threads.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }

        assertThat(failures).isEmpty();
        assertThat(store.list(QuarantineFilter.ALL, 0, 1000).total()).isEqualTo(ENTRIES);
        assertThat(store.list(QuarantineFilter.ALL, 0, 1000).entries()).allSatisfy(entry -> assertThat(entry.rescan()).isPresent());
    }

    /**
     * Held mail as the held-mail rescan and webadmin use it: held while it is listed, read whole (the
     * rescan streams it to clamd, webadmin serves its .eml) and taken back to the pipeline, all at once.
     * Every mail held is either taken back exactly once or still held; none is lost.
     */
    @Test
    void heldMailReadWhileWrittenAndTakenBackIsNeverLost() throws Exception {
        FileMailRepository repository = fileRepository();
        QuarantineStore store = new QuarantineStore(() -> repository, Duration.ofDays(30), Clock.systemUTC());
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        Queue<String> takenBack = new ConcurrentLinkedQueue<>();
        CountDownLatch written = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            Future<?> writer = threads.submit(() -> {
                try {
                    for (int i = 0; i < ENTRIES; i++) {
                        store.store(QuarantineStoreTest.mail("a@example.com", "b@example.com"),
                            i % 2 == 0 ? QuarantineReason.SCAN_FAILED : QuarantineReason.UNSCANNABLE, List.of(), Optional.empty(), Map.of());
                    }
                } catch (Exception e) {
                    failures.add("writer: " + e);
                } finally {
                    written.countDown();
                }
                return null;
            });
            threads.submit(() -> {
                while (written.getCount() > 0) {
                    try {
                        for (QuarantineEntry entry : store.list(QuarantineFilter.ALL, 0, 1000).entries()) {
                            store.writeMessage(entry.id(), java.io.OutputStream.nullOutputStream());
                        }
                    } catch (RuntimeException e) {
                        failures.add("reader: " + e);
                    }
                }
                return null;
            });
            threads.submit(() -> {
                QuarantineFilter scanFailed = new QuarantineFilter(Optional.of(QuarantineReason.SCAN_FAILED), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
                while (written.getCount() > 0) {
                    try {
                        for (QuarantineEntry entry : store.list(scanFailed, 0, 1000).entries()) {
                            store.take(entry.id(), mail -> takenBack.add(entry.id().asString()));
                        }
                    } catch (RuntimeException e) {
                        failures.add("rescan: " + e);
                    }
                }
                return null;
            });
            writer.get(2, TimeUnit.MINUTES);
        } finally {
            threads.shutdown();
            assertThat(threads.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }

        assertThat(failures).isEmpty();
        assertThat(takenBack).doesNotHaveDuplicates();
        assertThat(store.list(QuarantineFilter.ALL, 0, 1000).entries()).extracting(entry -> entry.id().asString())
            .doesNotContainAnyElementsOf(takenBack);
        assertThat(takenBack.size() + store.list(QuarantineFilter.ALL, 0, 1000).total()).as("held mail taken back or still held")
            .isEqualTo(ENTRIES);
        assertThat(store.counts().get(QuarantineReason.UNSCANNABLE)).isEqualTo(ENTRIES / 2);
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
