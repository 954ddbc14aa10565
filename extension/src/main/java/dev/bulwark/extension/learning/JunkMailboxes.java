package dev.bulwark.extension.learning;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.james.mailbox.Role;

/**
 * Which mailboxes are a user's junk, and which are the trash, by name. James 3.8.1 keeps no special-use
 * attribute per mailbox: its {@code \Junk} role ({@link Role#SPAM}) is the name {@code Spam}, which always counts.
 * A name matches whole or by its last part ({@code INBOX.Junk}, {@code Archive/Spam}), without case.
 */
public final class JunkMailboxes {
    /** Moving junk here is deleting it, not saying it is ham. */
    private static final Set<String> TRASH = Set.of("trash", "deleted items", "deleted messages");

    private final Set<String> junk;

    public JunkMailboxes(List<String> names) {
        this.junk = names.stream().map(JunkMailboxes::normalise).collect(Collectors.toUnmodifiableSet());
    }

    public boolean isJunk(String mailboxName) {
        return matches(mailboxName, junk) || role(mailboxName).filter(Role.SPAM::equals).isPresent();
    }

    public boolean isTrash(String mailboxName) {
        return matches(mailboxName, TRASH) || role(mailboxName).filter(Role.TRASH::equals).isPresent();
    }

    private static boolean matches(String mailboxName, Set<String> names) {
        return names.contains(normalise(mailboxName)) || names.contains(normalise(lastPart(mailboxName)));
    }

    private static Optional<Role> role(String mailboxName) {
        return Role.from(lastPart(mailboxName));
    }

    private static String lastPart(String mailboxName) {
        int separator = Math.max(mailboxName.lastIndexOf('.'), mailboxName.lastIndexOf('/'));
        return separator < 0 ? mailboxName : mailboxName.substring(separator + 1);
    }

    private static String normalise(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
