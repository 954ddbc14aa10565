package dev.bulwark.mailets;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.HasBannedAttachment;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.quarantine.QuarantineStorageException;
import dev.bulwark.security.LogText;
import dev.bulwark.security.SecurityEventSink;

/**
 * Puts the mail in Bulwark's quarantine (the repository named by {@code quarantine.repository} in
 * bulwark.properties) with its metadata, then ends its processing. Parameters:
 * <ul>
 *   <li>{@code reason}: virus, suspicious, banned, spam, scan-failed, policy or unscannable; by default
 *       taken from Bulwark's verdict attributes (infected: virus, suspicious: suspicious, unless clamd only
 *       found encrypted content: banned; no verdict: scan-failed, a part over clamd's stream limit:
 *       unscannable, a banned attachment: banned, an attachment the check calls suspicious (a damaged
 *       archive): suspicious, spam: spam, otherwise policy). scan-failed and unscannable are held mail
 *       (event {@code held.stored}, not {@code quarantine.stored}): the held-mail rescan gives it back to the
 *       pipeline once it can be scanned, and an admin releases it only after a rescan or, unscanned, with a
 *       reason.</li>
 *   <li>{@code passThrough} (default false): keep processing the mail after storing a copy, with
 *       {@code bulwark.quarantine.id} set, e.g. to send notices that name the quarantine id.</li>
 * </ul>
 * The stored message is the mail as it arrived, without Bulwark's own {@code X-Bulwark-*} headers (the
 * verdict is in the entry). When the repository cannot be written the mailet fails, so James's
 * {@code onMailetException} handling keeps the mail (error processor by default): it is never lost.
 *
 * <p>Two kinds of mail are not stored: the pipeline canary's carriers (the canary watch learns from the
 * {@code quarantine.stored} event that they were caught; they end here, whatever {@code passThrough} says,
 * so that no notice is ever sent about them), and mail already kept ({@code bulwark.quarantine.stored}: a
 * message store-level scanning took out of a mailbox, passing through for its notices).
 */
public class Quarantine extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(Quarantine.class);
    private static final String REASON = "reason";
    private static final String PASS_THROUGH = "passThrough";
    private static final List<String> OWN_HEADERS = List.of(VirusScan.HEADER, SpamCheck.STATUS_HEADER);
    /** Set with {@code bulwark.quarantine.id} when processing goes on (passThrough): the entry's reason, for notices. */
    public static final AttributeName REASON_ATTRIBUTE = AttributeName.of("bulwark.quarantine.reason");

    private final QuarantineStore store;
    private final SecurityEventSink events;
    private Optional<QuarantineReason> reason;
    private boolean passThrough;

    @Inject
    public Quarantine(QuarantineStore store, SecurityEventSink events) {
        this.store = store;
        this.events = events;
    }

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, Set.of(REASON, PASS_THROUGH));
        Optional<String> configured = Parameters.text(this, REASON);
        reason = configured.map(value -> QuarantineReason.parse(value).orElse(null));
        if (configured.isPresent() && reason.isEmpty()) {
            throw new MessagingException("mailetcontainer.xml: mailet " + getMailetName() + ": parameter 'reason' is '"
                + configured.get() + "', expected one of " + QuarantineReason.names());
        }
        passThrough = Parameters.bool(this, PASS_THROUGH, false);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        QuarantineReason why = reason.orElseGet(() -> reasonFromVerdict(mail));
        if (mail.getAttribute(dev.bulwark.matchers.BulwarkAttributes.CANARY).isPresent()) {
            events.record(MailEvents.of(mail, "quarantine.stored", Map.of("reason", why.asString())));
            mail.setState(Mail.GHOST);
            return;
        }
        java.util.Optional<Attribute> alreadyKept = mail.getAttribute(QuarantineStore.STORED);
        if (alreadyKept.isPresent()) {
            if (passThrough) {
                mail.setAttribute(new Attribute(QuarantineStore.ID, alreadyKept.get().getValue()));
            } else {
                mail.setState(Mail.GHOST);
            }
            return;
        }
        // A copy-on-write copy whatever the Mail implementation, so the original keeps its headers.
        MailImpl copy = MailImpl.duplicate(mail);
        QuarantineEntry entry;
        try {
            for (String header : OWN_HEADERS) {
                // Only when present: any header change makes javax.mail rewrite the header block.
                if (copy.getMessage().getHeader(header) != null) {
                    copy.getMessage().removeHeader(header);
                }
            }
            entry = store.store(copy, why, virusNames(mail), spamScore(mail), verdict(mail));
        } catch (QuarantineStorageException e) {
            throw new MessagingException("Quarantine: " + e.getMessage(), e);
        } finally {
            copy.dispose();
        }
        LOGGER.info("{} mail {} as {} ({}{})", why.isHeld() ? "Held" : "Quarantined", mail.getName(), entry.id(), why.asString(),
            entry.virusNames().isEmpty() ? "" : ": " + LogText.of(String.join(", ", entry.virusNames())));
        Map<String, String> details = new java.util.HashMap<>(Map.of("quarantineId", entry.id().asString(), "reason", why.asString()));
        if (!entry.virusNames().isEmpty()) {
            details.put("virusNames", String.join(",", entry.virusNames()));
        }
        entry.spamScore().ifPresent(score -> details.put("spamScore", score.toString()));
        text(mail, BulwarkAttributes.VIRUS_REASON).filter(reason -> why.isHeld()).ifPresent(reason -> details.put("virusReason", reason));
        events.record(MailEvents.of(mail, why.isHeld() ? "held.stored" : "quarantine.stored", details));
        if (passThrough) {
            mail.setAttribute(new Attribute(QuarantineStore.ID, AttributeValue.of(entry.id().asString())));
            mail.setAttribute(new Attribute(REASON_ATTRIBUTE, AttributeValue.of(why.asString())));
        } else {
            mail.setState(Mail.GHOST);
        }
    }

    /**
     * The reason the verdict attributes give. Content clamd found encrypted (Heuristics.Encrypted.*, with
     * the AlertEncrypted options) is banned, as the attachment check bans encrypted archives: VirusScan
     * records it in {@code bulwark.banned.reason}.
     */
    static QuarantineReason reasonFromVerdict(Mail mail) {
        String virus = text(mail, BulwarkAttributes.VIRUS_STATUS).orElse("");
        boolean banned = mail.getAttribute(HasBannedAttachment.REASON).isPresent();
        return switch (virus) {
            case "INFECTED" -> QuarantineReason.VIRUS;
            case "SUSPICIOUS" -> banned && VirusScan.onlyEncrypted(virusNames(mail)) ? QuarantineReason.BANNED : QuarantineReason.SUSPICIOUS;
            case "ERROR" -> QuarantineReason.SCAN_FAILED;
            case "UNSCANNABLE" -> QuarantineReason.UNSCANNABLE;
            default -> banned ? QuarantineReason.BANNED
                : mail.getAttribute(HasBannedAttachment.SUSPICIOUS).isPresent() ? QuarantineReason.SUSPICIOUS
                : text(mail, BulwarkAttributes.SPAM_STATUS).filter("SPAM"::equals).isPresent() ? QuarantineReason.SPAM
                : QuarantineReason.POLICY;
        };
    }

    static List<String> virusNames(Mail mail) {
        return text(mail, BulwarkAttributes.VIRUS_NAMES)
            .map(names -> Arrays.stream(names.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList())
            .orElse(List.of());
    }

    static Optional<Double> spamScore(Mail mail) {
        return mail.getAttribute(BulwarkAttributes.SPAM_SCORE).map(Attribute::getValue).map(AttributeValue::value)
            .filter(Number.class::isInstance).map(value -> ((Number) value).doubleValue());
    }

    /** Bulwark's verdict attributes as text; the quarantine's own are left out. */
    private static Map<String, String> verdict(Mail mail) {
        Map<String, String> verdict = new TreeMap<>();
        mail.attributes()
            .filter(attribute -> attribute.getName().asString().startsWith("bulwark."))
            .filter(attribute -> !attribute.getName().asString().startsWith("bulwark.quarantine."))
            .forEach(attribute -> verdict.put(attribute.getName().asString(), String.valueOf(attribute.getValue().value())));
        return verdict;
    }

    private static Optional<String> text(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value)
            .filter(String.class::isInstance).map(String.class::cast);
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark Quarantine";
    }
}
