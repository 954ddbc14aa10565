package dev.bulwark.mailets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.HasBannedAttachment;
import dev.bulwark.matchers.InOutbreak;
import dev.bulwark.security.LogText;
import dev.bulwark.security.policy.Policy;
import dev.bulwark.security.policy.PolicyAction;
import dev.bulwark.security.policy.PolicyVerdict;

/**
 * Applies each recipient's runtime policy (docs/policy.md) to the verdict the mail has got so far, and
 * sends each group of recipients its own way: James's mail is split, one copy per route.
 * <ul>
 *   <li>infected or suspicious mail (after VirusScan): the action of {@code actions.virus},
 *       {@code actions.suspicious} or, for content clamd found only encrypted, {@code actions.encrypted}:
 *       quarantine and reject (not possible after the SMTP transaction: quarantined) go to
 *       {@code quarantineProcessor}, hold (encrypted, damaged) to {@code heldProcessor} ({@code unscannable}: held for a
 *       rescan; mail a rescan gave back with the verdict unchanged goes to {@code quarantineProcessor}), strip to
 *       {@code stripProcessor}, deliver-tagged goes on here;</li>
 *   <li>mail the attachment check banned (as the mailet of {@code HasBannedAttachment}): {@code actions.banned},
 *       or for what it calls suspicious (a damaged archive) {@code actions.damaged}; routed as above;</li>
 *   <li>spam-checked mail (after SpamCheck): the score against {@code spam.quarantineAt} and
 *       {@code spam.rejectAt} (both to {@code spamProcessor}) and {@code spam.tagAt} (the subject gets
 *       {@code spam.subjectTag}; such a part, when it is not the one going on here, goes back through this
 *       processor with its verdicts to reuse, and its policy then says "go on").</li>
 * </ul>
 * Each verdict's policy is applied once (attribute {@code bulwark.policy.applied}); the spam policy only when no
 * verdict is left to apply. Mail that goes on with a verdict (deliver-tagged) gets the scan stamp of kind
 * {@link ScanStamp.Kind#POLICY_DELIVERED}, so that store-level scanning leaves the delivered message alone.
 */
public class ApplyPolicy extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(ApplyPolicy.class);
    /** The verdicts whose policy has been applied (comma separated): each is applied once, spam after all of them. */
    /** On mail delivered with a verdict because its recipients' policy says deliver-tagged (removed from incoming mail by StripVerdictHeaders). */
    public static final String POLICY_HEADER = "X-Bulwark-Policy";
    public static final org.apache.mailet.AttributeName APPLIED = org.apache.mailet.AttributeName.of("bulwark.policy.applied");
    /**
     * On mail a policy delivers tagged (and stamped so): a part split off later (the spam policy) comes back through
     * VirusScan with its verdict to reuse, and is stamped as the policy's decision again, not as plainly scanned.
     */
    public static final org.apache.mailet.AttributeName DELIVERED_TAGGED = org.apache.mailet.AttributeName.of("bulwark.policy.deliveredTagged");
    /**
     * The {@value #POLICY_HEADER} a policy gave mail it delivers tagged. A part split off later (the spam policy, SpamCheck) goes
     * back through root, whose StripVerdictHeaders removes every {@code X-Bulwark-*} header in the message (it cannot tell this
     * James's from a sender's); kept here, where no sender can set it, the header is set again when the part reaches this
     * mailet, so that its delivered copy says what an unsplit delivery says.
     */
    public static final org.apache.mailet.AttributeName POLICY_HEADER_VALUE = org.apache.mailet.AttributeName.of("bulwark.policy.header");
    private static final String QUARANTINE_PROCESSOR = "quarantineProcessor";
    private static final String STRIP_PROCESSOR = "stripProcessor";
    private static final String SPAM_PROCESSOR = "spamProcessor";
    private static final String HELD_PROCESSOR = "heldProcessor";
    private static final String CONTINUE_PROCESSOR = "continueProcessor";

    private final PolicyLookup policies;
    private final MailQueueFactory<? extends MailQueue> queues;
    private final ScanStamp stamp;
    private String quarantineProcessor;
    private String stripProcessor;
    private String spamProcessor;
    private String heldProcessor;
    private Optional<String> continueProcessor;

    /** Where a group of recipients goes: on here (empty processor), or to a processor; with a subject tag or not. */
    private record Route(Optional<String> processor, Optional<String> subjectTag) {
        static final Route HERE = new Route(Optional.empty(), Optional.empty());
    }

    @Inject
    public ApplyPolicy(PolicyLookup policies, MailQueueFactory<?> queues, ScanStamp stamp) {
        this.policies = policies;
        this.queues = queues;
        this.stamp = stamp;
    }

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, Set.of(QUARANTINE_PROCESSOR, STRIP_PROCESSOR, SPAM_PROCESSOR, HELD_PROCESSOR, CONTINUE_PROCESSOR));
        quarantineProcessor = Parameters.text(this, QUARANTINE_PROCESSOR).orElse("quarantine");
        stripProcessor = Parameters.text(this, STRIP_PROCESSOR).orElse("strip");
        spamProcessor = Parameters.text(this, SPAM_PROCESSOR).orElse("spam-quarantine");
        heldProcessor = Parameters.text(this, HELD_PROCESSOR).orElse("unscannable");
        continueProcessor = Parameters.text(this, CONTINUE_PROCESSOR);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        restorePolicyHeader(mail);
        dropFindingsForOthers(mail);
        List<String> applied = applied(mail);
        Optional<PolicyVerdict> verdict = java.util.stream.Stream.of(virusVerdict(mail), bannedVerdict(mail)).flatMap(Optional::stream)
            .filter(v -> !applied.contains(v.field())).findFirst();
        if (verdict.isPresent()) {
            applyVerdictPolicy(mail, verdict.get(), applied);
        } else {
            Optional<Double> score = Quarantine.spamScore(mail);
            if (score.isPresent()) {
                applySpamPolicy(mail, score.get());
            }
        }
    }

    /** A part back from a split, its {@value #POLICY_HEADER} stripped on the way through root: the header the policy gave it. */
    private static void restorePolicyHeader(Mail mail) throws MessagingException {
        Optional<String> value = mail.getAttribute(POLICY_HEADER_VALUE).map(a -> String.valueOf(a.getValue().value()));
        if (value.isEmpty()) {
            return;
        }
        String[] present = mail.getMessage().getHeader(POLICY_HEADER);
        if (present == null || present.length != 1 || !present[0].equals(value.get())) {
            mail.getMessage().setHeader(POLICY_HEADER, value.get());
        }
    }

    /**
     * The attachment check matched only some recipients (their banned rules differ): James's split gave the others' copy
     * its findings too. Such a copy, none of whose recipients the findings are for, loses them here.
     */
    private static void dropFindingsForOthers(Mail mail) {
        Optional<String> bannedFor = mail.getAttribute(HasBannedAttachment.BANNED_FOR).map(a -> String.valueOf(a.getValue().value()));
        if (bannedFor.isEmpty()) {
            return;
        }
        Set<String> matched = Set.of(bannedFor.get().split(","));
        if (mail.getRecipients().stream().noneMatch(recipient -> matched.contains(recipient.asString()))) {
            HasBannedAttachment.forget(mail);
        }
    }

    private void applyVerdictPolicy(Mail mail, PolicyVerdict verdict, List<String> applied) throws MessagingException {
        Map<Route, List<MailAddress>> routes = new LinkedHashMap<>();
        boolean rescanned = mail.getAttribute(InOutbreak.RESCANNED).isPresent();
        for (MailAddress recipient : mail.getRecipients()) {
            routes.computeIfAbsent(verdictRoute(policies.policyFor(recipient).action(verdict), rescanned), route -> new ArrayList<>()).add(recipient);
        }
        List<String> nowApplied = new ArrayList<>(applied);
        nowApplied.add(verdict.field());
        setApplied(mail, nowApplied);
        route(mail, routes);
        if (routes.containsKey(Route.HERE)) {
            // Delivered as the policy says (deliver-tagged): tagged with the verdict, and stamped, or store-level scanning
            // would take it out of the mailbox again for the verdict the policy accepted. Only mail clamd judged is
            // stamped: mail delivered unscanned (allowUnscannedDelivery) stays for store-level scanning to judge later. Its own
            // kind of stamp, so that an on-demand mailbox scan knows the finding was accepted, not missed.
            String header = HeaderText.of(verdict.field() + " (" + findings(mail, verdict) + "), delivered as the recipient's policy says");
            mail.getMessage().setHeader(POLICY_HEADER, header);
            mail.setAttribute(new Attribute(POLICY_HEADER_VALUE, AttributeValue.of(header)));
            if (virusScanned(mail)) {
                VirusScan.issueStamps(stamp, ScanStamp.Kind.POLICY_DELIVERED, mail);
                mail.setAttribute(new Attribute(DELIVERED_TAGGED, AttributeValue.of(true)));
            }
        }
    }

    private void applySpamPolicy(Mail mail, double score) throws MessagingException {
        Map<Route, List<MailAddress>> routes = new LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            routes.computeIfAbsent(spamRoute(policies.policyFor(recipient).spam(), score), route -> new ArrayList<>()).add(recipient);
        }
        route(mail, routes);
    }

    /** The mail goes on with the recipients staying here (or the first route's); a copy for each other route. */
    private void route(Mail mail, Map<Route, List<MailAddress>> routes) throws MessagingException {
        if (routes.isEmpty() || routes.size() == 1 && routes.containsKey(Route.HERE)) {
            return;
        }
        Route kept = routes.containsKey(Route.HERE) ? Route.HERE : routes.keySet().iterator().next();
        for (Map.Entry<Route, List<MailAddress>> entry : routes.entrySet()) {
            if (entry.getKey().equals(kept)) {
                continue;
            }
            MailImpl copy = MailImpl.duplicate(mail);
            try {
                // A part that goes on (subject tagged) goes back through this processor with its verdicts to reuse, as
                // SpamCheck's split-off parts do: the scan stamp is issued again for the tagged bytes, and the
                // per-recipient headers James's in-memory spool doubles on enqueue are set once again.
                String processor = entry.getKey().processor().orElse(continueProcessor.orElse(mail.getState()));
                copy.setName(mail.getName() + "-policy-" + processor);
                copy.setRecipients(entry.getValue());
                entry.getKey().subjectTag().ifPresent(tag -> SpamCheck.tagSubject(messageOf(copy), tag));
                if (entry.getKey().processor().isEmpty()) {
                    ReusableVerdicts.mark(copy, ReusableVerdicts.SPAM, "policy");
                    if (copy.getAttribute(BulwarkAttributes.VIRUS_STATUS).isPresent()) {
                        ReusableVerdicts.mark(copy, ReusableVerdicts.VIRUS, "policy");
                    }
                }
                copy.setState(processor);
                queues.createQueue(MailQueueFactory.SPOOL).enQueue(copy);
                LOGGER.info("Policy: {} of mail {} to {} as {}", LogText.of(entry.getValue()), mail.getName(), processor, copy.getName());
            } catch (MailQueue.MailQueueException e) {
                throw new MessagingException("ApplyPolicy: cannot split " + mail.getName() + ": " + e.getMessage(), e);
            } finally {
                copy.dispose();
            }
        }
        mail.setRecipients(routes.get(kept));
        kept.subjectTag().ifPresent(tag -> SpamCheck.tagSubject(messageOf(mail), tag));
        if (kept.processor().isPresent()) {
            LOGGER.info("Policy: {} of mail {} to {}", LogText.of(routes.get(kept)), mail.getName(), kept.processor().get());
            mail.setState(kept.processor().get());
        }
    }

    private Route verdictRoute(PolicyAction action, boolean rescanned) {
        return switch (action) {
            case DELIVER_TAGGED -> Route.HERE;
            case STRIP -> new Route(Optional.of(stripProcessor), Optional.empty());
            // Reject happens during the SMTP transaction (SmtpScanHook); mail already accepted is quarantined instead.
            case QUARANTINE, REJECT -> new Route(Optional.of(quarantineProcessor), Optional.empty());
            // Held for a rescan; held mail a rescan gave back with the same verdict is quarantined, not held round and round.
            case HOLD -> new Route(Optional.of(rescanned ? quarantineProcessor : heldProcessor), Optional.empty());
        };
    }

    private Route spamRoute(Policy.Spam spam, double score) {
        return switch (spam.outcome(score)) {
            case REJECT, QUARANTINE -> new Route(Optional.of(spamProcessor), Optional.empty());
            case TAG -> spam.subjectTag().isEmpty() ? Route.HERE : new Route(Optional.empty(), Optional.of(spam.subjectTag()));
            case DELIVER -> Route.HERE;
        };
    }

    /**
     * Forgets what the policy decided for this mail (the fields applied, a deliver-tagged decision, its header), so that the
     * policy is asked again: for a verdict of its own, or held mail going back with a new one.
     */
    public static void forget(Mail mail) {
        mail.removeAttribute(APPLIED);
        mail.removeAttribute(DELIVERED_TAGGED);
        mail.removeAttribute(POLICY_HEADER_VALUE);
    }

    /** The policy fields already applied to this mail ({@link #APPLIED}), in order. */
    static List<String> applied(Mail mail) {
        return mail.getAttribute(APPLIED).map(a -> List.of(String.valueOf(a.getValue().value()).split(","))).orElse(List.of());
    }

    static void setApplied(Mail mail, List<String> fields) {
        mail.setAttribute(new Attribute(APPLIED, AttributeValue.of(String.join(",", fields))));
    }

    /** clamd gave this mail a verdict (not an error, not too big to scan). */
    private static boolean virusScanned(Mail mail) {
        String status = mail.getAttribute(BulwarkAttributes.VIRUS_STATUS).map(a -> String.valueOf(a.getValue().value())).orElse("");
        return Set.of("CLEAN", "INFECTED", "SUSPICIOUS").contains(status);
    }

    private static Optional<PolicyVerdict> virusVerdict(Mail mail) {
        String status = mail.getAttribute(BulwarkAttributes.VIRUS_STATUS).map(a -> String.valueOf(a.getValue().value())).orElse("");
        return switch (status) {
            case "INFECTED" -> Optional.of(PolicyVerdict.VIRUS);
            case "SUSPICIOUS" -> Optional.of(VirusScan.onlyEncrypted(Quarantine.virusNames(mail)) ? PolicyVerdict.ENCRYPTED : PolicyVerdict.SUSPICIOUS);
            default -> Optional.empty();
        };
    }

    private static String findings(Mail mail, PolicyVerdict verdict) {
        org.apache.mailet.AttributeName source = switch (verdict) {
            case BANNED -> HasBannedAttachment.REASON;
            case DAMAGED -> HasBannedAttachment.SUSPICIOUS;
            default -> BulwarkAttributes.VIRUS_NAMES;
        };
        return mail.getAttribute(source).map(a -> String.valueOf(a.getValue().value())).orElse("");
    }

    /** What the attachment check (HasBannedAttachment) found: banned, or (a damaged archive by default) suspicious. */
    private static Optional<PolicyVerdict> bannedVerdict(Mail mail) {
        if (mail.getAttribute(HasBannedAttachment.REASON).isPresent()) {
            return Optional.of(PolicyVerdict.BANNED);
        }
        return mail.getAttribute(HasBannedAttachment.SUSPICIOUS).isPresent() ? Optional.of(PolicyVerdict.DAMAGED) : Optional.empty();
    }

    private static javax.mail.internet.MimeMessage messageOf(Mail mail) {
        try {
            return mail.getMessage();
        } catch (MessagingException e) {
            throw new IllegalStateException("cannot read the message of " + mail.getName(), e);
        }
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark ApplyPolicy";
    }
}
