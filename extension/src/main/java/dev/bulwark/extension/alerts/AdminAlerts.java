package dev.bulwark.extension.alerts;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.mailets.SecurityNoticeMail;
import dev.bulwark.notifications.NoticeRateLimiter;
import dev.bulwark.security.SecurityEvent;
import dev.bulwark.security.SecurityEventSink;

/**
 * Mails the postmaster about scanner state changes (down, broken, degraded, recovered) and outbreaks:
 * at most 10 alerts an hour, then a digest, so a flapping scanner cannot flood the mailbox. Alerts are
 * notices like the mailets' (null sender, Auto-Submitted, {@code bulwark.notice=alert}).
 */
@Singleton
public class AdminAlerts {
    private static final Logger LOGGER = LoggerFactory.getLogger(AdminAlerts.class);

    private final MailetContext context;
    private final SecurityEventSink events;
    private final NoticeRateLimiter limiter = new NoticeRateLimiter(10, Duration.ofHours(1), Clock.systemUTC());
    /** Alerts are sent off the caller's thread: an outbreak is raised while mail is processed, under a lock. */
    private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bulwark-admin-alerts");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public AdminAlerts(MailetContext context, SecurityEventSink events) {
        this.context = context;
        this.events = events;
    }

    public void alert(String subject, String body) {
        try {
            sender.execute(() -> alertNow(subject, body));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOGGER.warn("Alert '{}' not sent: James is stopping", subject);
        }
    }

    @javax.annotation.PreDestroy
    public void stop() {
        sender.shutdown();
    }

    private void alertNow(String subject, String body) {
        MailAddress postmaster = context.getPostmaster();
        if (postmaster == null) {
            LOGGER.warn("No postmaster to alert: {}", subject);
            return;
        }
        NoticeRateLimiter.Decision decision = limiter.attempt(postmaster.asString(), subject);
        decision.digest().ifPresent(held -> send(postmaster, "[Bulwark] " + held.size() + " alerts held back", String.join("\r\n", held)));
        if (decision.send()) {
            send(postmaster, subject, body);
        } else {
            record("notice.suppressed", postmaster, Map.of("kind", "alert", "to", postmaster.asString(), "reason", "rate limit", "subject", subject));
        }
    }

    private void send(MailAddress to, String subject, String body) {
        try {
            SecurityNoticeMail.send(context, to, to, "alert", subject.replaceAll("\\p{Cntrl}", " "), body.replace("\n", "\r\n") + "\r\n",
                java.time.Instant.now());
            record("notice.sent", to, Map.of("kind", "alert", "to", to.asString(), "subject", subject));
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("Alert '{}' not sent: {}", subject, e.getMessage());
        }
    }

    private void record(String kind, MailAddress to, Map<String, String> details) {
        events.record(SecurityEvent.of(java.time.Instant.now(), kind, Optional.empty(), Optional.empty(), List.of(to.asString()), details));
    }
}
