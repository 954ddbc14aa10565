package dev.bulwark.mailets;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.util.DurationParser;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.notifications.Notice;
import dev.bulwark.notifications.NoticeKind;
import dev.bulwark.notifications.NoticeRateLimiter;
import dev.bulwark.notifications.NoticeTemplates;
import dev.bulwark.notifications.NoticeText;
import dev.bulwark.quarantine.QuarantineStore;
import dev.bulwark.security.SecurityEventSink;
import dev.bulwark.security.LogText;
import dev.bulwark.security.policy.Policy;

/**
 * What NotifyAdmin, NotifyRecipients and NotifySender share: templates in the language of the
 * recipient's domain, the rate limit per target with a digest of what was held back, and how a notice
 * is sent (null reverse-path, {@code Auto-Submitted: auto-generated}, the {@code bulwark.notice}
 * attribute that IsSecurityNotice matches, so that notices are never scanned, quarantined or notified
 * about). They never change the state of the mail they are about.
 */
abstract class NoticeMailet extends GenericMailet {
    /** On every notice Bulwark sends: its kind (admin, recipient, sender, digest). */
    public static final AttributeName NOTICE = dev.bulwark.matchers.IsSecurityNotice.NOTICE;
    private static final Logger LOGGER = LoggerFactory.getLogger(NoticeMailet.class);
    /** The languages a policy may name (PolicyDocuments checks the same list). */
    static final Set<String> POLICY_LANGUAGES = Set.of("en", "de");
    static final Set<String> COMMON_PARAMETERS = Set.of("templateDirectory", "language", "languageByDomain", "maxPerWindow", "window");

    /**
     * What sets one notice mailet apart from the others.
     *
     * @param ownParameters       the mailet parameters it reads besides {@link #COMMON_PARAMETERS}
     * @param defaultMaxPerWindow its notices per target and window when {@code maxPerWindow} is not set
     */
    record Rules(NoticeKind kind, Set<String> ownParameters, int defaultMaxPerWindow) {
    }

    private final Rules rules;
    private final SecurityEventSink events;
    private final Clock clock;
    private final Optional<PolicyLookup> policies;
    private NoticeTemplates templates;
    private String language;
    private Map<String, String> languageByDomain;
    private NoticeRateLimiter limiter;

    NoticeMailet(Rules rules, SecurityEventSink events, Clock clock, Optional<PolicyLookup> policies) {
        this.rules = rules;
        this.events = events;
        this.clock = clock;
        this.policies = policies;
    }

    /** The runtime policy of an address (docs/policy.md), when this mailet has a policy lookup (always in Bulwark's James). */
    Optional<Policy> policyFor(MailAddress address) {
        return policies.map(lookup -> lookup.policyFor(address));
    }

    NoticeKind kind() {
        return rules.kind();
    }

    @Override
    public void init() throws MessagingException {
        Set<String> known = new HashSet<>(COMMON_PARAMETERS);
        known.addAll(rules.ownParameters());
        Parameters.checkKnown(this, known);
        language = Parameters.text(this, "language").orElse("en").toLowerCase(Locale.ROOT);
        languageByDomain = Parameters.text(this, "languageByDomain").map(NoticeMailet::domains).orElse(Map.of());
        Set<String> languages = new HashSet<>(languageByDomain.values());
        languages.add(language);
        if (policies.isPresent()) {
            // Any policy may name any language with templates, and a change applies without a restart.
            languages.addAll(POLICY_LANGUAGES);
        }
        try {
            templates = new NoticeTemplates(languages, Parameters.text(this, "templateDirectory").map(Path::of));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("mailetcontainer.xml: mailet " + getMailetName() + ": " + e.getMessage(), e);
        }
        int max = Parameters.text(this, "maxPerWindow").map(v -> positive(v, "maxPerWindow")).orElse(rules.defaultMaxPerWindow());
        Duration window = Parameters.text(this, "window").map(v -> DurationParser.parse(v, ChronoUnit.SECONDS)).orElse(Duration.ofMinutes(1));
        limiter = new NoticeRateLimiter(max, window, clock);
    }

    private int positive(String value, String name) {
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("mailetcontainer.xml: mailet " + getMailetName() + ": parameter '" + name + "' is '" + value
            + "', expected a number of notices, at least 1");
    }

    private static Map<String, String> domains(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(v -> v.contains(":"))
            .collect(Collectors.toMap(v -> v.substring(0, v.indexOf(':')).trim().toLowerCase(Locale.ROOT),
                v -> v.substring(v.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT), (a, b) -> b));
    }

    /** Renders and sends one notice to {@code to} about {@code mail}, unless the rate limit holds it back. */
    void notify(Mail mail, MailAddress to) throws MessagingException {
        notify(mail, to, Optional.empty(), Optional.empty());
    }

    /**
     * As {@link #notify(Mail, MailAddress)}, in {@code policyLanguage} (a policy's {@code language}; {@code languageByDomain}
     * still wins for the domains it lists), naming only {@code about} of the mail's recipients when given.
     */
    void notify(Mail mail, MailAddress to, Optional<String> policyLanguage, Optional<Collection<MailAddress>> about) throws MessagingException {
        Map<String, Object> values = values(mail);
        about.ifPresent(recipients -> values.put("recipients", NoticeText.oneLine(recipients(recipients))));
        NoticeRateLimiter.Decision decision = limiter.attempt(to.asString(), values.get("quarantineId") + " " + values.get("reason")
            + " from " + values.get("sender") + ": " + values.get("subject"));
        if (decision.digest().isPresent()) {
            List<String> held = decision.digest().get();
            send(mail, to, "digest", new Notice("[Bulwark] " + held.size() + " " + kind().asString() + " notices held back",
                "These notices were held back by the rate limit:\r\n\r\n" + String.join("\r\n", held) + "\r\n"));
        }
        if (!decision.send()) {
            events.record(MailEvents.of(mail, "notice.suppressed", Map.of("kind", kind().asString(), "to", to.asString(), "reason", "rate limit")));
            return;
        }
        send(mail, to, kind().asString(), templates.render(languageFor(to, policyLanguage), kind(), values));
    }

    void suppressed(Mail mail, String to, String reason) {
        LOGGER.info("No {} notice for {} to {}: {}", kind().asString(), mail.getName(), LogText.of(to), LogText.of(reason));
        events.record(MailEvents.of(mail, "notice.suppressed", Map.of("kind", kind().asString(), "to", to, "reason", reason)));
    }

    private void send(Mail about, MailAddress to, String noticeKind, Notice notice) throws MessagingException {
        SecurityNoticeMail.send(getMailetContext(), getMailetContext().getPostmaster(), to, noticeKind, notice.subject(), notice.body(),
            clock.instant());
        events.record(MailEvents.of(about, "notice.sent", Map.of("kind", noticeKind, "to", to.asString())));
    }

    private String languageFor(MailAddress to, Optional<String> policyLanguage) {
        return languageByDomain.getOrDefault(to.getDomain().asString().toLowerCase(Locale.ROOT), policyLanguage.orElse(language));
    }

    /** Everything from the mail on one line and capped ({@link NoticeText}), for the templates and the digest lines alike. */
    private static Map<String, Object> values(Mail mail) throws MessagingException {
        Map<String, Object> values = new HashMap<>();
        rawValues(mail).forEach((key, value) -> values.put(key, value instanceof String text ? NoticeText.oneLine(text) : value));
        return values;
    }

    private static Map<String, Object> rawValues(Mail mail) throws MessagingException {
        Map<String, Object> values = new HashMap<>();
        // The reason the Quarantine mailet stored it under (a held processor names its own), else the verdict's.
        dev.bulwark.quarantine.QuarantineReason reason = text(mail, Quarantine.REASON_ATTRIBUTE)
            .flatMap(dev.bulwark.quarantine.QuarantineReason::parse).orElseGet(() -> Quarantine.reasonFromVerdict(mail));
        values.put("reason", reason.asString());
        if (reason.isHeld()) {
            values.put("held", true);
            text(mail, BulwarkAttributes.VIRUS_REASON).ifPresent(v -> values.put("heldReason", v));
        }
        text(mail, BulwarkAttributes.VIRUS_NAMES).ifPresent(v -> values.put("virusNames", v));
        mail.getAttribute(BulwarkAttributes.SPAM_SCORE).map(a -> a.getValue().value()).ifPresent(v -> values.put("spamScore", v));
        values.put("sender", mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse("<>"));
        values.put("recipients", recipients(mail.getRecipients()));
        values.put("subject", Optional.ofNullable(header(mail, "Subject")).orElse("(no subject)"));
        values.put("messageId", Optional.ofNullable(header(mail, "Message-ID")).orElse("(none)"));
        values.put("remoteAddress", Optional.ofNullable(mail.getRemoteAddr()).orElse("unknown"));
        String id = text(mail, QuarantineStore.ID).orElse("(not quarantined)");
        values.put("quarantineId", id);
        values.put("webadminPath", "/bulwark/quarantine/" + id);
        return values;
    }

    private static String header(Mail mail, String name) throws MessagingException {
        String value = mail.getMessage().getHeader(name, null);
        if (value == null) {
            return null;
        }
        try {
            return javax.mail.internet.MimeUtility.decodeText(value.replaceAll("\r?\n[ \t]", " "));
        } catch (java.io.UnsupportedEncodingException e) {
            return value;
        }
    }

    private static String recipients(Collection<MailAddress> recipients) {
        return recipients.stream().map(MailAddress::asString).collect(Collectors.joining(", "));
    }

    private static Optional<String> text(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).filter(String.class::isInstance).map(String.class::cast);
    }
}
