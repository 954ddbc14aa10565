package dev.bulwark.mailets;

import java.time.Instant;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.CanaryCarrier;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.security.LogText;
import dev.bulwark.security.SecurityEventSink;
import dev.bulwark.security.policy.Policy;
import dev.bulwark.security.policy.PolicyVerdict;

/**
 * Scans each mail with clamd and records the verdict as {@code bulwark.virus.*} attributes and an
 * {@code X-Bulwark-Virus} header; matchers such as {@code IsInfected} then route it.
 *
 * <p>When no verdict can be had (ERROR: scanner down, stalled, garbage reply) the mail is sent to
 * {@code scanFailedProcessor} (default {@code scan-failed}), so nothing passes unscanned; mail over
 * clamd's size limit (UNSCANNABLE) goes to {@code unscannableProcessor} (default: the same), since a
 * rescan would not help it. With {@code failOpen=true} both go on, the header saying they were not scanned.
 * In Bulwark's James each recipient's runtime policy decides instead ({@code actions.scanFailed},
 * {@code actions.unscannable}, docs/policy.md): hold (the default) as above, quarantine in
 * {@code quarantineProcessor} (default {@code quarantine}), or deliver-tagged (only when the policy's
 * {@code allowUnscannedDelivery} is true); recipients whose policies differ get their own copies.
 *
 * <p>Mail over clamd's stream limit ({@code clamd.maxStreamSize}) is scanned part by part
 * ({@link MessageScan}): only a part that is itself over the limit makes it UNSCANNABLE. How it was
 * scanned is recorded ({@code bulwark.virus.scanMode}, {@code bulwark.virus.scannedParts}, and in the header).
 *
 * <p>Clean mail gets a {@link ScanStamp} per recipient ({@code X-Bulwark-Stamp}, written by LocalDelivery into
 * each delivered copy), so that store-level scanning does not scan it again. The pipeline canary's scan
 * failure drill gets an ERROR without being scanned: where it goes shows whether this mailet holds what it
 * cannot judge.
 */
public class VirusScan extends GenericMailet {
    public static final String HEADER = "X-Bulwark-Virus";
    private static final Logger LOGGER = LoggerFactory.getLogger(VirusScan.class);
    private static final String SCAN_FAILED_PROCESSOR = "scanFailedProcessor";
    private static final String UNSCANNABLE_PROCESSOR = "unscannableProcessor";
    private static final String FAIL_OPEN = "failOpen";
    private static final String QUARANTINE_PROCESSOR = "quarantineProcessor";
    /** The names clamd gives encrypted archives and documents with AlertEncrypted (AlertEncryptedArchive, AlertEncryptedDoc). */
    static final String ENCRYPTED_PREFIX = "Heuristics.Encrypted.";

    private final VirusScanner scanner;
    private final SecurityEventSink events;
    private final ScanStamp stamp;
    private final java.util.Optional<PolicyLookup> policies;
    private final MailQueueFactory<? extends MailQueue> queues;
    private String quarantineProcessor;
    private String scanFailedProcessor;
    private String unscannableProcessor;
    private boolean failOpen;

    /** In Bulwark's James: mail without a verdict goes where each recipient's policy says (actions.unscannable, actions.scanFailed). */
    @Inject
    public VirusScan(VirusScanner scanner, SecurityEventSink events, ScanStamp stamp, PolicyLookup policies, MailQueueFactory<?> queues) {
        this.scanner = scanner;
        this.events = events;
        this.stamp = stamp;
        this.policies = java.util.Optional.of(policies);
        this.queues = queues;
    }

    /** Without runtime policies: mail without a verdict is held (or goes on with failOpen). */
    public VirusScan(VirusScanner scanner, SecurityEventSink events, ScanStamp stamp) {
        this.scanner = scanner;
        this.events = events;
        this.stamp = stamp;
        this.policies = java.util.Optional.empty();
        this.queues = null;
    }

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, Set.of(SCAN_FAILED_PROCESSOR, UNSCANNABLE_PROCESSOR, FAIL_OPEN, QUARANTINE_PROCESSOR));
        quarantineProcessor = Parameters.text(this, QUARANTINE_PROCESSOR).orElse("quarantine");
        scanFailedProcessor = Parameters.text(this, SCAN_FAILED_PROCESSOR).orElse("scan-failed");
        unscannableProcessor = Parameters.text(this, UNSCANNABLE_PROCESSOR).orElse(scanFailedProcessor);
        failOpen = Parameters.bool(this, FAIL_OPEN, false);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        java.util.Optional<String> stage = ReusableVerdicts.take(mail, ReusableVerdicts.VIRUS);
        boolean drill = CanaryCarrier.of(mail).filter(carrier -> carrier == CanaryCarrier.SCAN_FAILURE).isPresent();
        java.util.Optional<MessageScan> reused = stage.filter(s -> !drill).flatMap(s -> ReusableVerdicts.virusScan(mail));
        MessageScan scan = drill ? new MessageScan(ScanVerdict.error("pipeline canary: scan failure drill", null), MessageScan.Mode.WHOLE, 0)
            : reused.isPresent() ? reused.get() : MessageScan.of(scanner, mail);
        ScanVerdict verdict = scan.verdict();
        if (reused.isPresent()) {
            // Already scanned (SMTP time, or before a split): the same bytes are not scanned twice.
            events.record(MailEvents.of(mail, "verdict.reused", java.util.Map.of("status", verdict.status().name(), "stage", stage.get())));
        } else {
            // A verdict of its own: what earlier passes decided for this mail (a policy applied, attachment findings) is
            // stale. Mail back in root from the held-fallback repository or the error repository is judged again here,
            // never let through as already handled.
            ApplyPolicy.forget(mail);
            dev.bulwark.matchers.HasBannedAttachment.forget(mail);
            record(mail, scan);
            events.record(MailEvents.of(mail, "verdict." + verdict.status().name().toLowerCase(java.util.Locale.ROOT), details(scan)));
        }
        setHeader(mail, headerValue(scan));
        stamp(mail, verdict);
        if (hasNoAnswer(verdict)) {
            String holdIn = verdict.status() == ScanVerdict.Status.UNSCANNABLE ? unscannableProcessor : scanFailedProcessor;
            if (!drill) {
                LOGGER.warn("Virus scan of {} gave no verdict: {}; {}", mail.getName(), LogText.of(verdict),
                    failOpen ? "delivering it unscanned (failOpen)" : "holding it in processor " + holdIn);
            }
            if (!failOpen) {
                if (policies.isPresent() && !drill) {
                    applyPolicy(mail, verdict, holdIn);
                } else {
                    mail.setState(holdIn);
                }
            }
        }
    }

    /**
     * Mail without a verdict, per recipient as its policy's {@code actions.unscannable} or {@code actions.scanFailed} says
     * (docs/policy.md): hold (and reject, which only the SMTP-time scan can do) in the held processor, quarantine in
     * {@code quarantineProcessor}, deliver-tagged (only with {@code allowUnscannedDelivery}, checked again here) goes on
     * with the header saying it was not scanned, and a security event. Never stamped: store-level scanning may judge it later.
     */
    private void applyPolicy(Mail mail, ScanVerdict verdict, String holdIn) throws MessagingException {
        PolicyVerdict kind = verdict.status() == ScanVerdict.Status.UNSCANNABLE ? PolicyVerdict.UNSCANNABLE : PolicyVerdict.SCAN_FAILED;
        java.util.Map<String, java.util.List<MailAddress>> routes = new java.util.LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            Policy policy = policies.get().policyFor(recipient);
            String route = switch (policy.action(kind)) {
                case DELIVER_TAGGED -> policy.allowUnscannedDelivery() ? mail.getState() : holdIn;
                case QUARANTINE -> quarantineProcessor;
                default -> holdIn;
            };
            routes.computeIfAbsent(route, r -> new java.util.ArrayList<>()).add(recipient);
        }
        String kept = routes.containsKey(mail.getState()) ? mail.getState() : routes.keySet().stream().findFirst().orElse(holdIn);
        for (java.util.Map.Entry<String, java.util.List<MailAddress>> route : routes.entrySet()) {
            if (!route.getKey().equals(kept)) {
                splitOff(mail, route.getKey(), route.getValue());
            }
        }
        if (routes.containsKey(kept)) {
            mail.setRecipients(routes.get(kept));
        }
        if (kept.equals(mail.getState())) {
            String reason = verdict.reason().orElse("unknown reason");
            mail.getMessage().setHeader(ApplyPolicy.POLICY_HEADER, HeaderText.of(kind.field() + " (" + reason
                + "), delivered unscanned as the recipient's policy says"));
            LOGGER.warn("Virus scan of {} gave no verdict: {}; delivering it unscanned to {}: their policy's actions.{} is deliver-tagged",
                mail.getName(), LogText.of(verdict), LogText.of(mail.getRecipients()), kind.field());
            events.record(MailEvents.of(mail, "unscanned.delivered", java.util.Map.of("verdict", kind.field(), "reason", reason,
                "recipients", mail.getRecipients().stream().map(MailAddress::asString).collect(java.util.stream.Collectors.joining(",")))));
        } else {
            mail.setState(kept);
        }
    }

    private void splitOff(Mail mail, String processor, java.util.List<MailAddress> recipients) throws MessagingException {
        MailImpl copy = MailImpl.duplicate(mail);
        try {
            copy.setName(mail.getName() + "-policy-" + processor);
            copy.setRecipients(recipients);
            copy.setState(processor);
            queues.createQueue(MailQueueFactory.SPOOL).enQueue(copy);
            LOGGER.info("Policy: {} of mail {} without a verdict to {} as {}", LogText.of(recipients), mail.getName(), processor, copy.getName());
        } catch (MailQueue.MailQueueException e) {
            throw new MessagingException("VirusScan: cannot split " + mail.getName() + ": " + e.getMessage(), e);
        } finally {
            copy.dispose();
        }
    }

    /**
     * The header is added per recipient, as James's rspamd mailet does: LocalDelivery writes it into
     * each delivered copy, while the message itself stays byte for byte as received (so the quarantine
     * keeps the original) and the scanner's name and address never leave with outbound mail. A copy
     * already in the message can only be forged by the sender: it is removed. A rescan replaces the
     * header of the earlier scan.
     */
    static void setHeader(Mail mail, String value) throws MessagingException {
        javax.mail.internet.MimeMessage message = mail.getMessage();
        if (message.getHeader(HEADER) != null) {
            // headers only: no saveChanges(), which parses a multipart body and keeps it with the mail; James
            // saves the header change itself when it writes the message
            message.removeHeader(HEADER);
        }
        PerRecipientHeaders.Header header = PerRecipientHeaders.Header.builder().name(HEADER).value(value).build();
        for (MailAddress recipient : mail.getRecipients()) {
            mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(recipient)
                .removeIf(existing -> existing.getName().equalsIgnoreCase(HEADER));
            mail.addSpecificHeaderForRecipient(header, recipient);
        }
    }

    /** Says in each recipient's copy that the mail was delivered without a verdict, and why (a held mail an admin released so). */
    public static void noteUnscanned(Mail mail, String why) throws MessagingException {
        setHeader(mail, HeaderText.of("not scanned: " + why));
    }

    /**
     * A stamp per recipient for clean mail, replacing any earlier one (a rescan); none otherwise. A stamp in
     * the message itself came from outside: removed (it would not verify anyway: the key is this server's).
     * A part of mail a policy delivered tagged, back with its verdict to reuse, keeps the policy's kind of stamp
     * (without it, a suspicious part would go unstamped and be taken out of the mailbox again, a banned one would
     * pass for plainly scanned).
     */
    private void stamp(Mail mail, ScanVerdict verdict) throws MessagingException {
        if (mail.getMessage().getHeader(ScanStamp.HEADER) != null) {
            mail.getMessage().removeHeader(ScanStamp.HEADER);
        }
        for (MailAddress recipient : mail.getRecipients()) {
            mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(recipient)
                .removeIf(existing -> existing.getName().equalsIgnoreCase(ScanStamp.HEADER));
        }
        if (mail.getAttribute(ApplyPolicy.DELIVERED_TAGGED).isPresent()) {
            issueStamps(stamp, ScanStamp.Kind.POLICY_DELIVERED, mail);
        } else if (verdict.isClean()) {
            issueStamps(stamp, ScanStamp.Kind.SCANNED, mail);
        }
    }

    /**
     * Stamps each recipient's copy: the pipeline vouches for these bytes (clean, or delivered as a policy says: the
     * kind), so that store-level scanning does not judge the message again once it is in the mailbox.
     */
    static void issueStamps(ScanStamp stamp, ScanStamp.Kind kind, Mail mail) throws MessagingException {
        ScanStamp.Digest digest;
        try {
            digest = ScanStamp.digest(MailContent.of(mail));
        } catch (java.io.IOException e) {
            // Unstamped, the message is scanned again once in a mailbox: more work, nothing unscanned.
            LOGGER.debug("No scan stamp for {}: {}", mail.getName(), e.getMessage());
            return;
        }
        for (MailAddress recipient : mail.getRecipients()) {
            // One stamp per recipient: a clean mail stamped here may be stamped again when a policy delivers it tagged.
            mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(recipient)
                .removeIf(existing -> existing.getName().equalsIgnoreCase(ScanStamp.HEADER));
            stamp.issue(kind, recipient.asString(), digest).ifPresent(value -> mail.addSpecificHeaderForRecipient(
                PerRecipientHeaders.Header.builder().name(ScanStamp.HEADER).value(value).build(), recipient));
        }
    }

    static java.util.Map<String, String> details(MessageScan scan) {
        ScanVerdict verdict = scan.verdict();
        java.util.Map<String, String> details = new java.util.HashMap<>();
        details.put("scanMode", scan.mode().asString());
        details.put("scannedParts", Integer.toString(scan.parts()));
        if (!verdict.names().isEmpty()) {
            details.put("virusNames", String.join(",", verdict.names()));
        }
        verdict.reason().ifPresent(reason -> details.put("reason", reason));
        verdict.endpoint().ifPresent(endpoint -> details.put("endpoint", endpoint.toString()));
        verdict.engine().ifPresent(engine -> details.put("engine", engine));
        return details;
    }

    private static boolean hasNoAnswer(ScanVerdict verdict) {
        return verdict.status() == ScanVerdict.Status.ERROR || verdict.status() == ScanVerdict.Status.UNSCANNABLE;
    }

    static void record(Mail mail, MessageScan scan) {
        ScanVerdict verdict = scan.verdict();
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of(verdict.status().name())));
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_SCAN_MODE, AttributeValue.of(scan.mode().asString())));
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_SCANNED_PARTS, AttributeValue.of(scan.parts())));
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_SCAN_TIME, AttributeValue.of(Instant.now().toString())));
        if (!verdict.names().isEmpty()) {
            mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_NAMES, AttributeValue.of(String.join(",", verdict.names()))));
        }
        verdict.reason().ifPresent(reason -> mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_REASON, AttributeValue.of(reason))));
        verdict.endpoint().ifPresent(endpoint -> mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_ENDPOINT, AttributeValue.of(endpoint.toString()))));
        verdict.engine().ifPresent(engine -> mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_ENGINE, AttributeValue.of(engine))));
        if (verdict.names().isEmpty()) {
            mail.removeAttribute(BulwarkAttributes.VIRUS_NAMES); // a rescan's verdict replaces the earlier one whole
        }
        if (verdict.reason().isEmpty()) {
            mail.removeAttribute(BulwarkAttributes.VIRUS_REASON);
        }
        if (verdict.status() == ScanVerdict.Status.SUSPICIOUS && onlyEncrypted(verdict.names())) {
            // clamd's AlertEncrypted* found content no scanner can read: banned, as the attachment check bans it
            mail.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.REASON,
                AttributeValue.of("encrypted content (clamd: " + String.join(", ", verdict.names()) + ")")));
        }
    }

    /** Every name is one of clamd's encryption alerts (Heuristics.Encrypted.Zip, .RAR, .7Zip, .PDF, .Doc...). */
    static boolean onlyEncrypted(java.util.List<String> names) {
        return !names.isEmpty() && names.stream().allMatch(name -> name.startsWith(ENCRYPTED_PREFIX));
    }

    static String headerValue(MessageScan scan) {
        ScanVerdict verdict = scan.verdict();
        String scannedBy = " (" + verdict.engine().orElse("clamd") + verdict.endpoint().map(e -> " at " + e).orElse("")
            + scan.description().map(how -> ", " + how).orElse("") + ")";
        String value = switch (verdict.status()) {
            case CLEAN -> "clean" + scannedBy;
            case INFECTED -> "infected: " + String.join(", ", verdict.names()) + scannedBy;
            case SUSPICIOUS -> "suspicious: " + String.join(", ", verdict.names()) + scannedBy;
            case UNSCANNABLE, ERROR -> "not scanned: " + verdict.reason().orElse("unknown reason");
        };
        return HeaderText.of(value);
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark VirusScan";
    }
}
