package dev.bulwark.matchers;

import java.util.Collection;
import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.matchers.attachments.AttachmentInspector;
import dev.bulwark.matchers.attachments.AttachmentPolicy;
import dev.bulwark.security.LogText;
import dev.bulwark.security.SecurityStore;
import dev.bulwark.security.policy.Policy;

/**
 * Matches mail carrying a banned attachment (see {@link AttachmentInspector}), and mail the attachment
 * check calls suspicious, recording why: {@code bulwark.banned.reason} (the Quarantine mailet files the
 * mail as "banned") or {@code bulwark.banned.suspicious} (filed as "suspicious"). Findings the policy lets
 * pass are recorded in {@code bulwark.banned.uninspected}, matching or not. Condition:
 * {@code HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;archives:true;encrypted:ban;uninspectable:ban;damaged:suspicious;unopened:deliver}
 * (each key optional; no condition: the defaults of {@link AttachmentPolicy}). In Bulwark's James each recipient's
 * runtime policy adds its {@code banned.extensions} and {@code banned.types} ({@code type/*} for a whole top-level
 * type) and, with {@code banned.archives.encrypted} false, delivers encrypted archives; recipients whose rules
 * differ are matched each by their own (James splits the mail).
 */
public class HasBannedAttachment extends GenericMatcher {
    public static final AttributeName REASON = AttributeName.of("bulwark.banned.reason");
    public static final AttributeName SUSPICIOUS = AttributeName.of("bulwark.banned.suspicious");
    public static final AttributeName UNINSPECTED = AttributeName.of("bulwark.banned.uninspected");
    /**
     * The parts the banned findings are in (sections, comma separated: "2,3.1"; see {@link AttachmentInspector.Report}), for
     * the policy's strip (StripInfectedParts); not set when a finding is not in a part that can be removed on its own.
     */
    public static final AttributeName BANNED_PARTS = AttributeName.of("bulwark.banned.parts");
    /** The same as {@link #BANNED_PARTS} for the suspicious findings (a damaged archive). */
    public static final AttributeName SUSPICIOUS_PARTS = AttributeName.of("bulwark.banned.suspiciousParts");
    /**
     * When the recipients' banned rules differ and only some of them match: those (comma separated). James's split gives
     * the other recipients' copy the same attributes; ApplyPolicy drops the findings from a copy none of whose recipients is here.
     */
    public static final AttributeName BANNED_FOR = AttributeName.of("bulwark.banned.recipients");
    private static final Logger LOGGER = LoggerFactory.getLogger(HasBannedAttachment.class);

    /**
     * Removes what an earlier attachment check recorded on this mail (findings, their parts, whom they were for): mail
     * judged afresh (a new virus scan) or whose findings were dealt with (stripped) must not be judged by stale ones.
     */
    public static void forget(Mail mail) {
        mail.removeAttribute(REASON);
        mail.removeAttribute(SUSPICIOUS);
        mail.removeAttribute(BANNED_FOR);
        mail.removeAttribute(BANNED_PARTS);
        mail.removeAttribute(SUSPICIOUS_PARTS);
    }

    private final java.util.Optional<java.util.function.Function<MailAddress, Policy.Banned>> rules;
    private final java.util.Map<AttachmentPolicy, AttachmentInspector> inspectors = new java.util.concurrent.ConcurrentHashMap<>();
    private AttachmentPolicy base;

    /** The condition alone decides, the same for every recipient. */
    public HasBannedAttachment() {
        this.rules = java.util.Optional.empty();
    }

    /** In Bulwark's James: each recipient's runtime policy's {@code banned.*} (docs/policy.md) on top of the condition. */
    @Inject
    public HasBannedAttachment(SecurityStore store) {
        this(recipient -> store.policies().resolve(recipient.asString()).policy().banned());
    }

    HasBannedAttachment(java.util.function.Function<MailAddress, Policy.Banned> rules) {
        this.rules = java.util.Optional.of(rules);
    }

    @Override
    public void init() throws MessagingException {
        try {
            base = AttachmentPolicy.parse(getCondition());
        } catch (IllegalArgumentException e) {
            throw new MessagingException("mailetcontainer.xml: matcher HasBannedAttachment=" + getCondition() + ": " + e.getMessage()
                + "; expected key:value pairs separated by ';' with keys extensions, types, archives, encrypted, uninspectable, damaged,"
                + " unopened, e.g. HasBannedAttachment=extensions:exe,scr;types:application/x-msdownload;encrypted:ban;uninspectable:ban");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        java.util.Map<AttachmentPolicy, List<MailAddress>> byRules = new java.util.LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            AttachmentPolicy policy = rules.map(lookup -> base.with(lookup.apply(recipient))).orElse(base);
            byRules.computeIfAbsent(policy, p -> new java.util.ArrayList<>()).add(recipient);
        }
        if (byRules.size() <= 1) {
            return match(mail, byRules.isEmpty() ? base : byRules.keySet().iterator().next());
        }
        // The recipients' rules differ: each set of rules inspects the mail once, and only its recipients match by it.
        java.util.Set<String> banned = new java.util.LinkedHashSet<>();
        java.util.Set<String> suspicious = new java.util.LinkedHashSet<>();
        java.util.Set<String> uninspected = new java.util.LinkedHashSet<>();
        Parts bannedParts = new Parts();
        Parts suspiciousParts = new Parts();
        List<MailAddress> matched = new java.util.ArrayList<>();
        for (java.util.Map.Entry<AttachmentPolicy, List<MailAddress>> entry : byRules.entrySet()) {
            AttachmentInspector.Report report = inspector(entry.getKey()).report(mail.getMessage());
            uninspected.addAll(report.uninspected());
            if (report.isBanned() || report.isSuspicious()) {
                banned.addAll(report.banned());
                suspicious.addAll(report.suspicious());
                bannedParts.add(report.bannedParts());
                suspiciousParts.add(report.suspiciousParts());
                matched.addAll(entry.getValue());
            }
        }
        record(mail, new AttachmentInspector.Report(List.copyOf(banned), List.copyOf(suspicious), List.copyOf(uninspected),
            bannedParts.parts(), suspiciousParts.parts()));
        if (!matched.isEmpty() && matched.size() < mail.getRecipients().size()) {
            mail.setAttribute(new Attribute(BANNED_FOR, AttributeValue.of(matched.stream().map(MailAddress::asString)
                .collect(java.util.stream.Collectors.joining(",")))));
        }
        return matched;
    }

    private AttachmentInspector inspector(AttachmentPolicy policy) {
        return inspectors.computeIfAbsent(policy, AttachmentInspector::new);
    }

    private Collection<MailAddress> match(Mail mail, AttachmentPolicy policy) throws MessagingException {
        AttachmentInspector.Report report = inspector(policy).report(mail.getMessage());
        record(mail, report);
        return report.isBanned() || report.isSuspicious() ? mail.getRecipients() : List.of();
    }

    /** The parts findings are in, over the reports of several sets of rules: known only when each report knows them. */
    private static final class Parts {
        private final java.util.Set<String> sections = new java.util.LinkedHashSet<>();
        private boolean complete = true;

        void add(java.util.Optional<List<String>> parts) {
            parts.ifPresentOrElse(sections::addAll, () -> complete = false);
        }

        java.util.Optional<List<String>> parts() {
            return complete ? java.util.Optional.of(List.copyOf(sections)) : java.util.Optional.empty();
        }
    }

    private void record(Mail mail, AttachmentInspector.Report report) {
        List<String> banned = report.banned();
        List<String> suspicious = report.suspicious();
        List<String> uninspectedFindings = report.uninspected();
        if (!banned.isEmpty()) {
            report.bannedParts().ifPresent(parts -> mail.setAttribute(new Attribute(BANNED_PARTS, AttributeValue.of(String.join(",", parts)))));
        }
        if (!suspicious.isEmpty()) {
            report.suspiciousParts().ifPresent(parts -> mail.setAttribute(new Attribute(SUSPICIOUS_PARTS, AttributeValue.of(String.join(",", parts)))));
        }
        if (!uninspectedFindings.isEmpty()) {
            String uninspected = String.join("; ", uninspectedFindings);
            LOGGER.info("Mail {}: attachments not inspected (delivered by the policy): {}", mail.getName(), LogText.of(uninspected));
            mail.setAttribute(new Attribute(UNINSPECTED, AttributeValue.of(uninspected)));
        }
        if (!suspicious.isEmpty()) {
            mail.setAttribute(new Attribute(SUSPICIOUS, AttributeValue.of(String.join("; ", suspicious))));
        }
        if (!banned.isEmpty()) {
            mail.setAttribute(new Attribute(REASON, AttributeValue.of(String.join("; ", banned))));
        }
    }
}
