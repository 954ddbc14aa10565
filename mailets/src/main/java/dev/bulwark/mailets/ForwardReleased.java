package dev.bulwark.mailets;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;
import org.apache.mailet.base.GenericMailet;

/**
 * Sends mail an admin released from the quarantine on to {@code processor} (default {@code transport}),
 * past the scanners it already went through, as {@code ToProcessor} would, with one copy of each
 * per-recipient header. The release adds those headers (the scan stamp, the "not scanned" note) before
 * the mail enters the spool, and James 3.8.1's in-memory spool duplicates per-recipient headers on
 * enqueue: without this, a delivered copy would carry each of them twice.
 * <ul>
 *   <li>{@code processor}: where the mail goes next. Default {@code transport}.</li>
 * </ul>
 */
public class ForwardReleased extends GenericMailet {
    private static final String PROCESSOR = "processor";

    private String processor;

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, Set.of(PROCESSOR));
        processor = Parameters.text(this, PROCESSOR).orElse(Mail.TRANSPORT);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        PerRecipientHeaders headers = mail.getPerRecipientSpecificHeaders();
        for (MailAddress recipient : new ArrayList<>(headers.getRecipientsWithSpecificHeaders())) {
            var forRecipient = headers.getHeadersForRecipient(recipient);
            List<PerRecipientHeaders.Header> once = new ArrayList<>(new LinkedHashSet<>(forRecipient));
            if (once.size() != forRecipient.size()) {
                forRecipient.clear();
                once.forEach(header -> mail.addSpecificHeaderForRecipient(header, recipient));
            }
        }
        mail.setState(processor);
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark ForwardReleased";
    }
}
