package dev.bulwark.mailets;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.security.SecurityEventSink;
import dev.bulwark.security.LogText;
import dev.bulwark.security.policy.Policy;
import dev.bulwark.security.policy.PolicyAction;
import dev.bulwark.security.policy.PolicyVerdict;

/**
 * Scans mail after DATA, before James accepts it, so that the real sending server is told: no
 * quarantine, no bounce, no backscatter. In smtpserver.xml's handlerchain:
 * <pre>{@code <handler class="dev.bulwark.mailets.SmtpScanHook">
 *     <rejectInfected>true</rejectInfected>
 *     <spamRejectScore>15.0</spamRejectScore>
 * </handler>}</pre>
 * Infected (and suspicious) mail gets {@code 554 5.7.1} with the virus name; mail at or above
 * {@code spamRejectScore} (0: never) gets {@code 550 5.7.1}; when clamd gives no verdict and
 * {@code failClosed} is true the client gets {@code 451 4.7.1} and retries later; mail that cannot be
 * scanned even part by part (a part over clamd's stream limit) gets {@code 552 5.3.4} unless
 * {@code rejectUnscannable} is false (the pipeline then holds it). Otherwise the mail is
 * accepted with the verdicts as attributes, and VirusScan / SpamCheck reuse them instead of scanning
 * the same bytes again. Authenticated submissions are left to the pipeline unless
 * {@code scanAuthenticated} is true.
 *
 * <p>With {@code usePolicy} true, the recipients' runtime policies (docs/policy.md) decide instead of
 * {@code rejectInfected}, {@code rejectSuspicious} and {@code spamRejectScore} (which must then be left out): a
 * mail is refused only when the policy of every one of its recipients says reject (its {@code actions.virus},
 * {@code .suspicious} or {@code .encrypted}; its score at or above {@code spam.rejectAt}); otherwise it is
 * accepted and the pipeline applies each recipient's policy. Mail that cannot be scanned is refused as
 * {@code failClosed} and {@code rejectUnscannable} say, and also when every recipient's {@code actions.scanFailed}
 * (451) or {@code actions.unscannable} (552) says reject.
 */
public class SmtpScanHook implements JamesMessageHook, ProtocolHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpScanHook.class);

    private final VirusScanner scanner;
    private final SpamChecker spam;
    private final SecurityEventSink events;
    private boolean rejectInfected = true;
    private boolean rejectSuspicious = true;
    private double spamRejectScore;
    private boolean failClosed = true;
    private boolean rejectUnscannable = true;
    private boolean scanAuthenticated;
    private boolean usePolicy;
    private final PolicyLookup policies;

    @Inject
    public SmtpScanHook(VirusScanner scanner, SpamChecker spam, SecurityEventSink events, PolicyLookup policies) {
        this.scanner = scanner;
        this.spam = spam;
        this.events = events;
        this.policies = policies;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        java.util.Set<String> known = java.util.Set.of("rejectInfected", "rejectSuspicious", "spamRejectScore", "failClosed",
            "rejectUnscannable", "scanAuthenticated", "usePolicy");
        java.util.List<String> unknown = new java.util.ArrayList<>();
        config.getKeys().forEachRemaining(key -> {
            if (!known.contains(key) && !key.startsWith("[@")) {
                unknown.add(key);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("smtpserver.xml: handler SmtpScanHook: unknown parameter " + unknown + ", expected one of "
                + new java.util.TreeSet<>(known));
        }
        try {
            rejectInfected = config.getBoolean("rejectInfected", true);
            rejectSuspicious = config.getBoolean("rejectSuspicious", true);
            spamRejectScore = config.getDouble("spamRejectScore", 0.0);
            failClosed = config.getBoolean("failClosed", true);
            rejectUnscannable = config.getBoolean("rejectUnscannable", true);
            scanAuthenticated = config.getBoolean("scanAuthenticated", false);
            usePolicy = config.getBoolean("usePolicy", false);
        } catch (RuntimeException e) {
            throw new ConfigurationException("smtpserver.xml: handler SmtpScanHook: " + e.getMessage(), e);
        }
        java.util.List<String> decidedByPolicy = java.util.stream.Stream.of("rejectInfected", "rejectSuspicious", "spamRejectScore")
            .filter(config::containsKey).toList();
        if (usePolicy && !decidedByPolicy.isEmpty()) {
            throw new ConfigurationException("smtpserver.xml: handler SmtpScanHook: usePolicy is true, so the recipients' policies decide: remove "
                + decidedByPolicy);
        }
        if (spamRejectScore < 0) {
            throw new ConfigurationException("smtpserver.xml: handler SmtpScanHook: spamRejectScore is " + spamRejectScore
                + ", expected 0 (never reject) or a positive score");
        }
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        if (session.getUsername() != null && !scanAuthenticated) {
            return HookResult.DECLINED;
        }
        MessageScan scan = MessageScan.of(scanner, mail);
        ScanVerdict verdict = scan.verdict();
        VirusScan.record(mail, scan);
        events.record(MailEvents.of(mail, "verdict." + verdict.status().name().toLowerCase(Locale.ROOT), stage(VirusScan.details(scan))));
        switch (verdict.status()) {
            case INFECTED -> {
                if (usePolicy ? everyRecipient(mail, policy -> policy.action(PolicyVerdict.VIRUS) == PolicyAction.REJECT) : rejectInfected) {
                    return reject(mail, "554", "5.7.1 Rejected: virus found: " + String.join(", ", verdict.names()), true);
                }
            }
            case SUSPICIOUS -> {
                PolicyVerdict kind = VirusScan.onlyEncrypted(verdict.names()) ? PolicyVerdict.ENCRYPTED : PolicyVerdict.SUSPICIOUS;
                if (usePolicy ? everyRecipient(mail, policy -> policy.action(kind) == PolicyAction.REJECT) : rejectSuspicious) {
                    return reject(mail, "554", "5.7.1 Rejected: suspicious content: " + String.join(", ", verdict.names()), true);
                }
            }
            case ERROR -> {
                if (failClosed || usePolicy && everyRecipient(mail, policy -> policy.action(PolicyVerdict.SCAN_FAILED) == PolicyAction.REJECT)) {
                    return reject(mail, "451", "4.7.1 Virus scanner unavailable, please try again later", false);
                }
                return HookResult.DECLINED; // the pipeline scans (and holds) it
            }
            case UNSCANNABLE -> {
                if (rejectUnscannable || usePolicy && everyRecipient(mail, policy -> policy.action(PolicyVerdict.UNSCANNABLE) == PolicyAction.REJECT)) {
                    // Permanent: the same mail is as large tomorrow. Its sender learns it now, not through a bounce.
                    return reject(mail, "552", "5.3.4 Rejected: a part of this message is too large to be scanned for viruses", true);
                }
            }
            default -> {
            }
        }
        ReusableVerdicts.mark(mail, ReusableVerdicts.VIRUS, "smtp");
        boolean checkSpam = usePolicy ? mail.getRecipients().stream().anyMatch(r -> policies.policyFor(r).spam().rejectAt().isPresent())
            : spamRejectScore > 0;
        if (checkSpam && verdict.status() == ScanVerdict.Status.CLEAN) {
            SpamVerdict spamVerdict = spam.check(MailContent.of(mail), Optional.empty(), MessageContexts.of(session, mail));
            SpamCheck.record(mail, spamVerdict);
            events.record(MailEvents.of(mail, "spam." + spamVerdict.status().name().toLowerCase(Locale.ROOT), stage(SpamCheck.details(spamVerdict))));
            if (spamVerdict.status() != SpamVerdict.Status.ERROR) {
                ReusableVerdicts.mark(mail, ReusableVerdicts.SPAM, "smtp");
            }
            boolean scored = spamVerdict.status() == SpamVerdict.Status.HAM || spamVerdict.status() == SpamVerdict.Status.SPAM;
            if (scored && usePolicy && everyRecipient(mail, policy -> policy.spam().outcome(spamVerdict.score()) == Policy.SpamOutcome.REJECT)) {
                return reject(mail, "550", "5.7.1 Rejected as spam (score " + spamVerdict.score() + ")", true);
            }
            if (scored && !usePolicy && spamVerdict.score() >= spamRejectScore) {
                return reject(mail, "550", "5.7.1 Rejected as spam (score " + spamVerdict.score() + ", limit " + spamRejectScore + ")", true);
            }
        }
        return HookResult.DECLINED;
    }

    /** A mail is refused as a whole: only when every recipient's policy would refuse it. */
    private boolean everyRecipient(Mail mail, java.util.function.Predicate<Policy> says) {
        return !mail.getRecipients().isEmpty() && mail.getRecipients().stream().allMatch(recipient -> says.test(policies.policyFor(recipient)));
    }

    private HookResult reject(Mail mail, String code, String description, boolean permanent) {
        LOGGER.info("SMTP {} for mail from {} to {}: {}", code, LogText.of(mail.getMaybeSender().asString()), LogText.of(mail.getRecipients()),
            LogText.of(description));
        events.record(MailEvents.of(mail, "smtp.rejected", Map.of("code", code, "reason", description)));
        return HookResult.builder()
            .hookReturnCode(permanent ? HookReturnCode.deny() : HookReturnCode.denySoft())
            .smtpReturnCode(code)
            .smtpDescription(description)
            .build();
    }

    private static Map<String, String> stage(Map<String, String> details) {
        Map<String, String> all = new java.util.HashMap<>(details);
        all.put("stage", "smtp");
        return all;
    }
}
