package dev.bulwark.extension.mailbox;

import javax.inject.Inject;

import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.mailbox.events.GenericGroup;
import org.apache.james.mailbox.events.MailboxEvents;

/**
 * James's mailbox events, for store-level scanning: a group listener, registered from listeners.xml
 * ({@code <listener><class>dev.bulwark.extension.mailbox.MailboxScanListener</class><async>true</async></listener>}),
 * so that on the distributed James each event is handled once per cluster, by whichever node takes it
 * from the group's queue, with the event bus's retries and dead letters.
 *
 * <p>On the in-VM event bus (memory and JPA apps) even an {@code async} group listener runs while the client
 * waits: James 3.8.1's in-VM delivery waits for it. There, with {@code <async>true</async>}, the scan is
 * handed to Bulwark's own threads ({@link MailboxScanner#submit}), so that an IMAP APPEND is answered
 * without waiting for clamd; a full queue makes the event thread scan itself (slower, never dropped), and an
 * arrival after Bulwark's threads stopped is kept in the event dead letters for a later pass.
 */
public class MailboxScanListener implements EventListener.GroupEventListener {
    /**
     * The listener's group: its name in the distributed event bus and in James's event dead letters. A named
     * group, not a Group subclass: James reads group names back with its own class loader, which does not see
     * extension jars.
     */
    public static final Group GROUP = new GenericGroup("bulwark-mailbox-scan");
    /** The in-VM bus's name (InVMEventBus.IN_VN_EVENTBUS_NAME, not on Bulwark's compile path). */
    private static final String IN_VM_BUS = "InVMEventBus";

    private final MailboxScanner scanner;
    private final ExecutionMode mode;
    private final boolean handOff;

    @Inject
    public MailboxScanListener(MailboxScanner scanner, ExecutionMode mode, EventBus eventBus) {
        this.scanner = scanner;
        this.mode = mode;
        this.handOff = mode == ExecutionMode.ASYNCHRONOUS && IN_VM_BUS.equals(eventBus.eventBusName().value());
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    @Override
    public ExecutionMode getExecutionMode() {
        return mode;
    }

    @Override
    public boolean isHandling(Event event) {
        return event instanceof MailboxEvents.Added;
    }

    @Override
    public void event(Event event) {
        if (!(event instanceof MailboxEvents.Added added)) {
            return;
        }
        if (handOff) {
            scanner.submit(added);
        } else {
            scanner.scan(added);
        }
    }
}
