package dev.bulwark.mailets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.scanner.verdict.MessageContext;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamVerdict;
import dev.bulwark.security.SecurityEventSink;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.SenderList;
import dev.bulwark.security.LogText;

/**
 * Checks each mail with the spam engine (spamd, or rspamd with {@code spam.engine=rspamd}: the injected
 * {@link SpamChecker}), records {@code bulwark.spam.*} attributes and writes the SpamAssassin
 * headers MUAs and Sieve scripts already understand ({@code X-Spam-Flag}, {@code X-Spam-Score},
 * {@code X-Spam-Status}), replacing any the sender put there.
 *
 * <p>The engine is told how the mail arrived ({@link MessageContexts}): the SMTP client's address, name and HELO, the
 * envelope sender, the authenticated user and the mail's name; rspamd uses them, spamd's protocol has no place for them.
 *
 * <p>When spamd gives no verdict, the mail goes on with {@code X-Bulwark-Spam: not checked: ...} and no
 * {@code X-Spam-Flag}, or to {@code scanFailedProcessor} when that parameter is set. Mail over
 * {@code spamd.maxMessageSize} is not sent: {@code X-Bulwark-Spam: skipped: ...}.
 */
public class SpamCheck extends GenericMailet {
    public static final String STATUS_HEADER = "X-Bulwark-Spam";
    private static final Logger LOGGER = LoggerFactory.getLogger(SpamCheck.class);
    private static final String SCAN_FAILED_PROCESSOR = "scanFailedProcessor";
    private static final String SKIP_INFECTED = "skipInfected";
    private static final String SKIP_ALLOW_LISTED = "skipAllowListed";
    private static final String SUBJECT_TAG = "subjectTag";
    private static final String PER_RECIPIENT = "perRecipient";

    private final SpamChecker checker;
    private final SecurityEventSink events;
    private final SecurityStore store;
    private final MailQueueFactory<? extends MailQueue> queues;
    private Optional<String> scanFailedProcessor = Optional.empty();
    private boolean perRecipient;
    private boolean skipInfected;
    private boolean skipAllowListed;
    private Optional<String> subjectTag = Optional.empty();

    @Inject
    public SpamCheck(SpamChecker checker, SecurityEventSink events, SecurityStore store, MailQueueFactory<?> queues) {
        this.checker = checker;
        this.events = events;
        this.store = store;
        this.queues = queues;
    }

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, Set.of(SCAN_FAILED_PROCESSOR, SKIP_INFECTED, SKIP_ALLOW_LISTED, SUBJECT_TAG, PER_RECIPIENT));
        perRecipient = Parameters.bool(this, PER_RECIPIENT, false);
        scanFailedProcessor = Parameters.text(this, SCAN_FAILED_PROCESSOR);
        skipInfected = Parameters.bool(this, SKIP_INFECTED, true);
        skipAllowListed = Parameters.bool(this, SKIP_ALLOW_LISTED, true);
        subjectTag = Parameters.text(this, SUBJECT_TAG);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Optional<String> stage = ReusableVerdicts.take(mail, ReusableVerdicts.SPAM);
        Optional<SpamVerdict> reused = stage.flatMap(s -> fromAttributes(mail));
        if (reused.isPresent()) {
            events.record(MailEvents.of(mail, "spam.reused", java.util.Map.of("status", reused.get().status().name(), "stage", stage.get())));
            apply(mail, reused.get());
            return;
        }
        Optional<String> skip = reasonToSkip(mail);
        if (skip.isEmpty() && perRecipient && mail.getRecipients().size() > 1) {
            checkPerRecipient(mail);
            return;
        }
        SpamVerdict verdict = skip.map(SpamVerdict::skipped).orElseGet(() -> checker.check(MailContent.of(mail), Optional.empty(), MessageContexts.of(mail)));
        record(mail, verdict);
        events.record(MailEvents.of(mail, "spam." + verdict.status().name().toLowerCase(java.util.Locale.ROOT), details(verdict)));
        apply(mail, verdict);
    }

    /**
     * Each recipient checked with spamd's {@code User:} (their own SpamAssassin preferences). When they
     * disagree, the mail is split: this mail keeps the recipients of the first verdict, and a copy per
     * other verdict goes back through this processor with its verdict to reuse (nothing is scanned twice).
     */
    private void checkPerRecipient(Mail mail) throws MessagingException {
        Map<String, List<MailAddress>> recipientsByOutcome = new LinkedHashMap<>();
        Map<String, SpamVerdict> verdictByOutcome = new LinkedHashMap<>();
        MessageContext context = MessageContexts.of(mail);
        for (MailAddress recipient : mail.getRecipients()) {
            SpamVerdict verdict = checker.check(MailContent.of(mail), Optional.of(recipient.asString()), context);
            String outcome = verdict.status() + (verdict.isSpam() ? "/spam" : "");
            recipientsByOutcome.computeIfAbsent(outcome, o -> new ArrayList<>()).add(recipient);
            verdictByOutcome.putIfAbsent(outcome, verdict);
        }
        List<String> outcomes = new ArrayList<>(recipientsByOutcome.keySet());
        for (String outcome : outcomes.subList(1, outcomes.size())) {
            MailImpl copy = MailImpl.duplicate(mail);
            try {
                copy.setName(mail.getName() + "-" + outcome.toLowerCase(java.util.Locale.ROOT).replace('/', '-'));
                copy.setRecipients(recipientsByOutcome.get(outcome));
                SpamVerdict verdict = verdictByOutcome.get(outcome);
                record(copy, verdict);
                events.record(MailEvents.of(copy, "spam." + verdict.status().name().toLowerCase(java.util.Locale.ROOT), details(verdict)));
                ReusableVerdicts.mark(copy, ReusableVerdicts.SPAM, "split");
                if (copy.getAttribute(BulwarkAttributes.VIRUS_STATUS).isPresent()) {
                    ReusableVerdicts.mark(copy, ReusableVerdicts.VIRUS, "split");
                }
                copy.setState(mail.getState());
                spool().enQueue(copy);
                LOGGER.info("Recipients of {} disagree on spam: {} split off as {}", mail.getName(), LogText.of(copy.getRecipients()), copy.getName());
            } catch (MailQueue.MailQueueException e) {
                throw new MessagingException("SpamCheck: cannot split " + mail.getName() + ": " + e.getMessage(), e);
            } finally {
                copy.dispose();
            }
        }
        SpamVerdict verdict = verdictByOutcome.get(outcomes.get(0));
        mail.setRecipients(recipientsByOutcome.get(outcomes.get(0)));
        record(mail, verdict);
        events.record(MailEvents.of(mail, "spam." + verdict.status().name().toLowerCase(java.util.Locale.ROOT), details(verdict)));
        apply(mail, verdict);
    }

    private MailQueue spool() {
        return queues.createQueue(MailQueueFactory.SPOOL);
    }

    /** The headers (and subject tag, and routing on failure) for a verdict. */
    private void apply(Mail mail, SpamVerdict verdict) throws MessagingException {
        MimeMessage message = mail.getMessage();
        message.removeHeader("X-Spam-Flag");
        message.removeHeader("X-Spam-Score");
        message.removeHeader("X-Spam-Status");
        if (verdict.status() == SpamVerdict.Status.ERROR) {
            message.setHeader(STATUS_HEADER, HeaderText.of("not checked: " + verdict.reason().orElse("unknown reason")));
            LOGGER.warn("Spam check of {} gave no verdict: {}", mail.getName(), LogText.of(verdict));
            scanFailedProcessor.ifPresent(mail::setState);
        } else if (verdict.status() == SpamVerdict.Status.SKIPPED) {
            message.setHeader(STATUS_HEADER, HeaderText.of("skipped: " + verdict.reason().orElse("")));
        } else {
            message.setHeader(STATUS_HEADER, verdict.isSpam() ? "spam" : "ham");
            message.setHeader("X-Spam-Flag", verdict.isSpam() ? "YES" : "NO");
            message.setHeader("X-Spam-Score", format(verdict.score()));
            message.setHeader("X-Spam-Status", HeaderText.of((verdict.isSpam() ? "Yes" : "No")
                + ", score=" + format(verdict.score()) + " required=" + format(verdict.threshold())
                + " tests=" + String.join(",", verdict.symbols())));
            if (verdict.isSpam()) {
                subjectTag.ifPresent(tag -> tagSubject(message, tag));
            }
        }
        // No saveChanges(): only headers changed, and on a multipart message it parses the whole body and keeps
        // it with the mail for the rest of the pipeline; James saves the changed headers itself when it writes
        // the message.
    }

    /** Mail already found infected needs no spam verdict; an allow-listed sender's mail is not checked. */
    private Optional<String> reasonToSkip(Mail mail) {
        if (skipInfected) {
            Optional<String> virus = mail.getAttribute(BulwarkAttributes.VIRUS_STATUS).map(a -> String.valueOf(a.getValue().value()));
            if (virus.filter(status -> status.equals("INFECTED") || status.equals("SUSPICIOUS")).isPresent()) {
                return Optional.of("already " + virus.get().toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (skipAllowListed) {
            return mail.getMaybeSender().asOptional()
                .flatMap(sender -> store.lists().match(SenderList.ALLOW, sender.asString()))
                .map(entry -> "sender allow-listed (" + entry.pattern().value() + ")");
        }
        return Optional.empty();
    }

    /** Prefixes the subject once, keeping its encoding; a subject already tagged is left alone. */
    static void tagSubject(MimeMessage message, String tag) {
        try {
            String subject = Optional.ofNullable(message.getSubject()).orElse("");
            if (!subject.startsWith(tag)) {
                message.setSubject(tag + " " + subject, "UTF-8");
            }
        } catch (MessagingException e) {
            LOGGER.warn("Could not tag the subject: {}", LogText.of(e.getMessage()));
        }
    }

    /** The spam verdict SmtpScanHook recorded, rebuilt for the headers. */
    private static Optional<SpamVerdict> fromAttributes(Mail mail) {
        Optional<String> status = mail.getAttribute(BulwarkAttributes.SPAM_STATUS).map(a -> String.valueOf(a.getValue().value()));
        Optional<Double> score = number(mail, BulwarkAttributes.SPAM_SCORE);
        Optional<Double> threshold = number(mail, BulwarkAttributes.SPAM_THRESHOLD);
        if (status.isEmpty() || score.isEmpty() || threshold.isEmpty() || !(status.get().equals("HAM") || status.get().equals("SPAM"))) {
            return Optional.empty();
        }
        List<String> symbols = mail.getAttribute(BulwarkAttributes.SPAM_SYMBOLS).map(a -> String.valueOf(a.getValue().value()))
            .map(s -> java.util.Arrays.stream(s.split(",")).filter(v -> !v.isEmpty()).toList()).orElse(List.of());
        return Optional.of(SpamVerdict.scored(status.get().equals("SPAM"), score.get(), threshold.get(), symbols, null));
    }

    private static Optional<Double> number(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(a -> a.getValue().value()).filter(Number.class::isInstance).map(v -> ((Number) v).doubleValue());
    }

    static java.util.Map<String, String> details(SpamVerdict verdict) {
        java.util.Map<String, String> details = new java.util.HashMap<>();
        if (verdict.status() == SpamVerdict.Status.HAM || verdict.status() == SpamVerdict.Status.SPAM) {
            details.put("score", format(verdict.score()));
            details.put("threshold", format(verdict.threshold()));
        }
        verdict.reason().ifPresent(reason -> details.put("reason", reason));
        verdict.endpoint().ifPresent(endpoint -> details.put("endpoint", endpoint.toString()));
        return details;
    }

    static void record(Mail mail, SpamVerdict verdict) {
        mail.setAttribute(new Attribute(BulwarkAttributes.SPAM_STATUS, AttributeValue.of(verdict.status().name())));
        if (verdict.status() == SpamVerdict.Status.ERROR || verdict.status() == SpamVerdict.Status.SKIPPED) {
            verdict.reason().ifPresent(reason -> mail.setAttribute(new Attribute(BulwarkAttributes.SPAM_REASON, AttributeValue.of(reason))));
            return;
        }
        mail.setAttribute(new Attribute(BulwarkAttributes.SPAM_SCORE, AttributeValue.of(verdict.score())));
        mail.setAttribute(new Attribute(BulwarkAttributes.SPAM_THRESHOLD, AttributeValue.of(verdict.threshold())));
        mail.setAttribute(new Attribute(BulwarkAttributes.SPAM_SYMBOLS, AttributeValue.of(String.join(",", verdict.symbols()))));
    }

    private static String format(double number) {
        return String.format(Locale.ROOT, "%.1f", number);
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark SpamCheck";
    }
}
