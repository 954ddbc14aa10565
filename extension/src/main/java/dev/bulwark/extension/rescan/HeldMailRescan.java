package dev.bulwark.extension.rescan;

import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.mailrepository.api.MailRepositoryPath;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.task.Task;
import org.apache.james.util.streams.Limit;
import org.apache.james.utils.UserDefinedStartable;
import org.apache.james.webadmin.service.ReprocessingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.extension.config.BulwarkConfiguration;
import dev.bulwark.extension.scanners.Scanners;
import dev.bulwark.scanner.pool.EndpointStats;

/**
 * Gives held mail another scan: every {@code rescan.interval}, while some clamd is in service, the mail
 * in the scan-failed repository goes back to {@code rescan.processor} (root by default), through James's
 * own ReprocessingService, as webadmin's "reprocess" action does. Mail that still cannot be scanned is
 * held again; none is dropped or delivered unscanned.
 */
@Singleton
public class HeldMailRescan implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(HeldMailRescan.class);

    private final BulwarkConfiguration configuration;
    private final Scanners scanners;
    private final ReprocessingService reprocessing;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bulwark-held-mail-rescan");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public HeldMailRescan(BulwarkConfiguration configuration, Scanners scanners, ReprocessingService reprocessing) {
        this.configuration = configuration;
        this.scanners = scanners;
        this.reprocessing = reprocessing;
    }

    @Override
    public void start() {
        long interval = configuration.rescan().interval().toMillis();
        executor.scheduleWithFixedDelay(this::rescanIfClamdAnswers, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void rescanIfClamdAnswers() {
        if (scanners.clamd().stats().stream().anyMatch(EndpointStats::available)) {
            rescanNow();
        }
    }

    /**
     * Sends all held mail back for a scan now. One run at a time: two would both enqueue a mail
     * listed by each before either removed it.
     *
     * @return whether all of it went back; what did not stays held
     */
    public synchronized boolean rescanNow() {
        try {
            MailRepositoryPath path = MailRepositoryPath.from(configuration.rescan().repository());
            Task.Result result = reprocessing.reprocessAll(path,
                    new ReprocessingService.Configuration(MailQueueFactory.SPOOL, Optional.of(configuration.rescan().processor()),
                        Optional.empty(), true, Limit.unlimited()),
                    key -> LOGGER.info("Rescanning held mail {} from {}", key.asString(), path.asString()))
                .block();
            if (result == Task.Result.PARTIAL) {
                LOGGER.warn("Some held mail in {} could not be sent back for a rescan; it stays held", path.asString());
                return false;
            }
            return true;
        } catch (RuntimeException e) {
            // The next round tries again; held mail stays where it is.
            LOGGER.warn("Rescan of held mail failed: {}", e.getMessage());
            return false;
        }
    }

    @PreDestroy
    public void stop() {
        executor.shutdownNow();
    }
}
