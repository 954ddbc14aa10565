package dev.bulwark.extension.mailbox;

import java.time.Clock;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.core.Domain;
import org.apache.james.core.Username;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.task.TaskId;
import org.apache.james.task.TaskManager;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;

import dev.bulwark.extension.config.BulwarkConfiguration;

/** Starts on-demand mailbox scans ({@link MailboxScanTask}) for webadmin, and rebuilds them from their JSON form. */
@Singleton
public class MailboxScans {
    private final TaskManager tasks;
    private final UsersRepository users;
    private final DomainList domains;
    private final MailboxScanTask.Services services;

    @Inject
    public MailboxScans(TaskManager tasks, MailboxScanner scanner, MailboxManager mailboxes, UsersRepository users, DomainList domains,
                        BulwarkConfiguration configuration) {
        this.tasks = tasks;
        this.users = users;
        this.domains = domains;
        this.services = new MailboxScanTask.Services(scanner, mailboxes, users, configuration.mailbox().scanRate());
    }

    /**
     * Submits a scan of the scope.
     *
     * @throws IllegalArgumentException when the user or the domain is unknown here
     */
    public TaskId submit(MailboxScanTask.Scope scope, String requestedBy) {
        try {
            if (scope.user().isPresent() && !users.contains(Username.of(scope.user().get()))) {
                throw new IllegalArgumentException("no user " + scope.user().get());
            }
            if (scope.domain().isPresent() && !domains.containsDomain(Domain.of(scope.domain().get()))) {
                throw new IllegalArgumentException("no local domain " + scope.domain().get());
            }
        } catch (UsersRepositoryException | DomainListException e) {
            throw new IllegalStateException("cannot check the scope of the mailbox scan: " + e.getMessage(), e);
        }
        return tasks.submit(task(scope, requestedBy));
    }

    public MailboxScanTask task(MailboxScanTask.Scope scope, String requestedBy) {
        return new MailboxScanTask(services, scope, requestedBy, Clock.systemUTC());
    }
}
