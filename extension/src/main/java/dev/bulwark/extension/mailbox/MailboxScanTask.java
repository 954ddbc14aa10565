package dev.bulwark.extension.mailbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.core.Domain;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxMetaData;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.task.TaskType;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.util.concurrent.RateLimiter;

import reactor.core.publisher.Flux;

import dev.bulwark.security.LogText;

/**
 * An on-demand scan of mailboxes (one user's, one domain's, or everyone's) as a James task: listed,
 * followed and cancelled in webadmin's {@code /tasks}. Every message is scanned, whatever its stamp says about a
 * clean verdict, at most {@code mailbox.scanRate} a second; what is infected or banned is taken out into the
 * quarantine as on arrival. A message whose stamp records a decision to let it through (an admin's release, a
 * policy's deliver-tagged: {@link MailboxScanner.Stamps#DECISIONS} says why) is left where it is, unscanned, and
 * reported as skipped. The task's details list what was found and where, and what was skipped and why (the first
 * {@value #MAX_LISTED} of each).
 */
public class MailboxScanTask implements Task {
    public static final TaskType TYPE = TaskType.of("bulwark-mailbox-scan");
    /** How many findings, and skipped messages, a scan's details list (the on-demand scan's and the retroactive rescan's). */
    public static final int MAX_LISTED = 100;
    static final String TRIGGER = "on-demand scan";
    private static final Logger LOGGER = LoggerFactory.getLogger(MailboxScanTask.class);

    /** Whose mailboxes: one user, one domain, or (both empty) all. */
    public record Scope(Optional<String> user, Optional<String> domain) {
        public static final Scope ALL = new Scope(Optional.empty(), Optional.empty());

        public String describe() {
            return user.map(u -> "user " + u).or(() -> domain.map(d -> "domain " + d)).orElse("all users");
        }
    }

    /** Progress, and at the end the result. */
    public record Details(String scope, String requestedBy, long users, long mailboxes, long scanned, long found, long unjudged,
                          List<MailboxScanner.Finding> findings, long skipped, List<MailboxScanner.Skipped> skippedMessages, Instant timestamp)
        implements TaskExecutionDetails.AdditionalInformation {
        public Details {
            findings = List.copyOf(findings);
            skippedMessages = List.copyOf(skippedMessages);
        }
    }

    /** What the task needs from the running server. */
    public record Services(MailboxScanner scanner, MailboxManager mailboxes, UsersRepository users, int messagesPerSecond) {
    }

    private final Services services;
    private final Scope scope;
    private final String requestedBy;
    private final Clock clock;
    private final AtomicLong users = new AtomicLong();
    private final AtomicLong mailboxCount = new AtomicLong();
    private final AtomicLong scanned = new AtomicLong();
    private final AtomicLong found = new AtomicLong();
    private final AtomicLong unjudged = new AtomicLong();
    private final List<MailboxScanner.Finding> findings = new CopyOnWriteArrayList<>();
    private final AtomicLong skipped = new AtomicLong();
    private final List<MailboxScanner.Skipped> skippedMessages = new CopyOnWriteArrayList<>();

    public MailboxScanTask(Services services, Scope scope, String requestedBy, Clock clock) {
        this.services = services;
        this.scope = scope;
        this.requestedBy = requestedBy;
        this.clock = clock;
    }

    @Override
    public Result run() throws InterruptedException {
        LOGGER.info("Mailbox scan of {} started, requested by {}", scope.describe(), requestedBy);
        RateLimiter rate = RateLimiter.create(services.messagesPerSecond());
        boolean complete = true;
        for (Username user : users()) {
            users.incrementAndGet();
            complete &= scanUser(user, rate);
        }
        LOGGER.info("Mailbox scan of {} done: {}", scope.describe(), LogText.of(current()));
        return complete && unjudged.get() == 0 ? Result.COMPLETED : Result.PARTIAL;
    }

    private List<Username> users() {
        if (scope.user().isPresent()) {
            return List.of(Username.of(scope.user().get()));
        }
        List<Username> all = new ArrayList<>();
        try {
            Iterator<Username> listed = services.users().list();
            listed.forEachRemaining(user -> {
                if (scope.domain().isEmpty()
                    || user.getDomainPart().map(Domain::asString).filter(d -> d.equalsIgnoreCase(scope.domain().get())).isPresent()) {
                    all.add(user);
                }
            });
        } catch (UsersRepositoryException e) {
            throw new IllegalStateException("cannot list the users: " + e.getMessage(), e);
        }
        return all;
    }

    private boolean scanUser(Username user, RateLimiter rate) throws InterruptedException {
        MailboxSession session = services.mailboxes().createSystemSession(user);
        try {
            List<MailboxPath> own = services.mailboxes().search(MailboxQuery.privateMailboxesBuilder(session).build(), session)
                .map(MailboxMetaData::getPath).collectList().block();
            for (MailboxPath path : own) {
                mailboxCount.incrementAndGet();
                MessageManager mailbox = services.mailboxes().getMailbox(path, session);
                List<MessageUid> uids = Flux.from(mailbox.search(SearchQuery.matchAll(), session)).collectList().block();
                for (MessageUid uid : uids) {
                    while (!rate.tryAcquire(1, TimeUnit.SECONDS)) {
                        checkCancelled();
                    }
                    checkCancelled();
                    MailboxScanner.Result result = services.scanner().scanGuarded(mailbox, uid, session, TRIGGER,
                        MailboxScanner.Stamps.DECISIONS);
                    count(result);
                }
            }
            return true;
        } catch (MailboxException | RuntimeException e) {
            LOGGER.warn("Mailboxes of {} not scanned to the end: {}", user.asString(), e.toString());
            unjudged.incrementAndGet();
            return false;
        } finally {
            services.mailboxes().endProcessingRequest(session);
        }
    }

    private static void checkCancelled() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("mailbox scan cancelled");
        }
    }

    private void count(MailboxScanner.Result result) {
        if (result.outcome() == MailboxScanner.Outcome.GONE) {
            return;
        }
        if (result.outcome() == MailboxScanner.Outcome.SKIPPED) {
            skipped.incrementAndGet();
            result.skipped().filter(s -> skippedMessages.size() < MAX_LISTED).ifPresent(skippedMessages::add);
            return;
        }
        scanned.incrementAndGet();
        if (result.outcome() == MailboxScanner.Outcome.UNJUDGED) {
            unjudged.incrementAndGet();
        }
        if (result.outcome() == MailboxScanner.Outcome.TAKEN_OUT) {
            found.incrementAndGet();
        }
        result.finding().filter(f -> findings.size() < MAX_LISTED).ifPresent(findings::add);
    }

    private Details current() {
        return new Details(scope.describe(), requestedBy, users.get(), mailboxCount.get(), scanned.get(), found.get(), unjudged.get(),
            findings, skipped.get(), skippedMessages, clock.instant());
    }

    public Scope scope() {
        return scope;
    }

    public String requestedBy() {
        return requestedBy;
    }

    @Override
    public TaskType type() {
        return TYPE;
    }

    @Override
    public Optional<TaskExecutionDetails.AdditionalInformation> details() {
        return Optional.of(current());
    }
}
