package dev.bulwark.mailets;

import java.time.Instant;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.security.SecurityEventSink;

/**
 * Scans each mail with clamd and records the verdict as {@code bulwark.virus.*} attributes and an
 * {@code X-Bulwark-Virus} header; matchers such as {@code IsInfected} then route it.
 *
 * <p>When no verdict can be had (ERROR: scanner down, stalled, garbage reply) the mail is sent to
 * {@code scanFailedProcessor} (default {@code scan-failed}), so nothing passes unscanned; mail over
 * clamd's size limit (UNSCANNABLE) goes to {@code unscannableProcessor} (default: the same), since a
 * rescan would not help it. With {@code failOpen=true} both go on, the header saying they were not scanned.
 */
public class VirusScan extends GenericMailet {
    public static final String HEADER = "X-Bulwark-Virus";
    private static final Logger LOGGER = LoggerFactory.getLogger(VirusScan.class);
    private static final String SCAN_FAILED_PROCESSOR = "scanFailedProcessor";
    private static final String UNSCANNABLE_PROCESSOR = "unscannableProcessor";
    private static final String FAIL_OPEN = "failOpen";

    private final VirusScanner scanner;
    private final SecurityEventSink events;
    private String scanFailedProcessor;
    private String unscannableProcessor;
    private boolean failOpen;

    @Inject
    public VirusScan(VirusScanner scanner, SecurityEventSink events) {
        this.scanner = scanner;
        this.events = events;
    }

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, Set.of(SCAN_FAILED_PROCESSOR, UNSCANNABLE_PROCESSOR, FAIL_OPEN));
        scanFailedProcessor = Parameters.text(this, SCAN_FAILED_PROCESSOR).orElse("scan-failed");
        unscannableProcessor = Parameters.text(this, UNSCANNABLE_PROCESSOR).orElse(scanFailedProcessor);
        failOpen = Parameters.bool(this, FAIL_OPEN, false);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        java.util.Optional<String> stage = ReusableVerdicts.take(mail, ReusableVerdicts.VIRUS);
        java.util.Optional<ScanVerdict> reused = stage.flatMap(s -> ReusableVerdicts.virusVerdict(mail));
        ScanVerdict verdict = reused.isPresent() ? reused.get() : scanner.scan(MailContent.of(mail), mail.getMessageSize());
        if (reused.isPresent()) {
            // Already scanned (SMTP time, or before a split): the same bytes are not scanned twice.
            events.record(MailEvents.of(mail, "verdict.reused", java.util.Map.of("status", verdict.status().name(), "stage", stage.get())));
        } else {
            record(mail, verdict);
            events.record(MailEvents.of(mail, "verdict." + verdict.status().name().toLowerCase(java.util.Locale.ROOT), details(verdict)));
        }
        setHeader(mail, headerValue(verdict));
        if (hasNoAnswer(verdict)) {
            String holdIn = verdict.status() == ScanVerdict.Status.UNSCANNABLE ? unscannableProcessor : scanFailedProcessor;
            LOGGER.warn("Virus scan of {} gave no verdict: {}; {}", mail.getName(), verdict,
                failOpen ? "delivering it unscanned (failOpen)" : "holding it in processor " + holdIn);
            if (!failOpen) {
                mail.setState(holdIn);
            }
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

    static java.util.Map<String, String> details(ScanVerdict verdict) {
        java.util.Map<String, String> details = new java.util.HashMap<>();
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

    static void record(Mail mail, ScanVerdict verdict) {
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of(verdict.status().name())));
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_SCAN_TIME, AttributeValue.of(Instant.now().toString())));
        if (!verdict.names().isEmpty()) {
            mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_NAMES, AttributeValue.of(String.join(",", verdict.names()))));
        }
        verdict.reason().ifPresent(reason -> mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_REASON, AttributeValue.of(reason))));
        verdict.endpoint().ifPresent(endpoint -> mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_ENDPOINT, AttributeValue.of(endpoint.toString()))));
        verdict.engine().ifPresent(engine -> mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_ENGINE, AttributeValue.of(engine))));
    }

    static String headerValue(ScanVerdict verdict) {
        String scannedBy = " (" + verdict.engine().orElse("clamd") + verdict.endpoint().map(e -> " at " + e).orElse("") + ")";
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
