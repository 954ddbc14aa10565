package dev.bulwark.matchers;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;

import org.apache.james.core.MailAddress;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import dev.bulwark.security.OutbreakDetector;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.policy.Policy;

/**
 * While a virus outbreak is in progress on this node:
 * <ul>
 *   <li>{@code InOutbreak} (no condition) matches every mail, so that operators can tighten their own rules during one:
 *   <pre>{@code <mailet match="dev.bulwark.matchers.InOutbreak" class="ToProcessor">...}</pre></li>
 *   <li>{@code InOutbreak=attachments} matches, only when the default runtime policy's {@code outbreak.mode} is
 *   {@code quarantine} (docs/policy.md), mail with an attachment: any MIME part, at any depth, with
 *   {@code Content-Disposition: attachment} or a file name (a {@code filename} or {@code name} parameter), inline
 *   pictures with a name included; mail whose structure cannot be read counts as having one. The sample pipeline holds
 *   it for a rescan (processor {@code unscannable}): the retroactive rescan after the next signature update gives it
 *   back with its new verdict, marked {@link #RESCANNED}, which this matcher then lets go.</li>
 * </ul>
 */
public class InOutbreak extends GenericMatcher {
    /** On held mail a rescan gave back to the pipeline with a verdict: the hold it was in is over, it is not held again. */
    public static final AttributeName RESCANNED = AttributeName.of("bulwark.held.rescanned");
    static final String ATTACHMENTS = "attachments";

    private final OutbreakDetector outbreaks;
    private final Supplier<Policy.OutbreakMode> mode;
    private boolean attachmentsOnly;

    /** In Bulwark's James: the mode is the default runtime policy's, read at each mail. */
    @Inject
    public InOutbreak(OutbreakDetector outbreaks, SecurityStore store) {
        this(outbreaks, () -> store.policies().currentDefault().outbreak().mode());
    }

    InOutbreak(OutbreakDetector outbreaks, Supplier<Policy.OutbreakMode> mode) {
        this.outbreaks = outbreaks;
        this.mode = mode;
    }

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition().strip();
        if (!condition.isEmpty() && !condition.equals(ATTACHMENTS)) {
            throw new MessagingException("mailetcontainer.xml: matcher InOutbreak=" + condition
                + ": expected no condition (every mail during an outbreak) or 'attachments' (mail with attachments, when the default"
                + " policy's outbreak.mode is quarantine)");
        }
        attachmentsOnly = condition.equals(ATTACHMENTS);
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        if (outbreaks.current().isEmpty()) {
            return List.of();
        }
        if (!attachmentsOnly) {
            return mail.getRecipients();
        }
        if (mode.get() != Policy.OutbreakMode.QUARANTINE || mail.getAttribute(RESCANNED).isPresent()) {
            return List.of();
        }
        return hasAttachment(mail.getMessage()) ? mail.getRecipients() : List.of();
    }

    static boolean hasAttachment(Part part) {
        try {
            if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || part.getFileName() != null) {
                return true;
            }
            if (part.isMimeType("multipart/*")) {
                Multipart multipart = (Multipart) part.getContent();
                for (int i = 0; i < multipart.getCount(); i++) {
                    if (hasAttachment(multipart.getBodyPart(i))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (MessagingException | IOException | ClassCastException e) {
            return true; // a structure this cannot read is held too: the outbreak may be hiding in it
        }
    }
}
