package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.security.OutbreakSettings;
import dev.bulwark.security.policy.Policy;
import dev.bulwark.security.policy.PolicyDefaults;
import dev.bulwark.security.policy.PolicyDocuments;

/** Each recipient's policy routes its part of the mail; the policies here are fixed, the store's resolution has its own tests. */
class ApplyPolicyTest {
    private static final Policy DEFAULT = PolicyDefaults.builtIn(OutbreakSettings.DEFAULT);
    private static final Policy FINANCE = PolicyDocuments.parseOverride(PolicyDocuments.read(
        "{\"actions\": {\"virus\": \"strip\"}, \"spam\": {\"tagAt\": 2, \"quarantineAt\": 4, \"subjectTag\": \"[SPAM]\"}}"),
        PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), "").policy();
    private static final Policy TAGGED = PolicyDocuments.parseOverride(PolicyDocuments.read("{\"spam\": {\"subjectTag\": \"[Spam?]\"}}"),
        PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), "").policy();

    /** What went into the spool, as it was when it went in. */
    private record Spooled(String state, List<String> recipients, String subject, boolean virusApplied, boolean spamReusable) {
    }

    private final List<Spooled> spooled = new CopyOnWriteArrayList<>();

    private org.apache.james.queue.api.MailQueueFactory<?> spool() {
        org.apache.james.queue.api.MailQueue queue = (org.apache.james.queue.api.MailQueue) java.lang.reflect.Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {org.apache.james.queue.api.MailQueue.class}, (proxy, method, args) -> {
                if (method.getName().equals("enQueue") && args.length == 1) {
                    Mail mail = (Mail) args[0];
                    spooled.add(new Spooled(mail.getState(), recipients(mail), mail.getMessage().getSubject(),
                        mail.getAttribute(ApplyPolicy.APPLIED).isPresent(), mail.getAttribute(ReusableVerdicts.SPAM).isPresent()));
                    return null;
                }
                throw new UnsupportedOperationException(method.getName());
            });
        return (org.apache.james.queue.api.MailQueueFactory<?>) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {org.apache.james.queue.api.MailQueueFactory.class}, (proxy, method, args) -> queue);
    }

    private ApplyPolicy mailet(Map<String, Policy> policies) throws Exception {
        ApplyPolicy mailet = new ApplyPolicy(recipient -> policies.getOrDefault(recipient.asString(), DEFAULT), spool(),
            new dev.bulwark.mailets.stamp.ScanStamp(new byte[32]));
        mailet.init(FakeMailetConfig.builder().mailetName("ApplyPolicy").build());
        return mailet;
    }

    private static Mail mail(String... recipients) throws Exception {
        FakeMail.Builder builder = FakeMail.builder().name("m1").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("offer").setText("body"));
        for (String recipient : recipients) {
            builder.recipient(recipient);
        }
        return builder.build();
    }

    private static List<String> recipients(Mail mail) {
        return mail.getRecipients().stream().map(MailAddress::asString).toList();
    }

    @Test
    void infectedMailGoesWhereEachRecipientsVirusActionSays() throws Exception {
        Mail mail = mail("bob@example.com", "fin@example.com");
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("INFECTED")));

        mailet(Map.of("fin@example.com", FINANCE)).service(mail);

        assertThat(mail.getState()).isEqualTo("quarantine");
        assertThat(recipients(mail)).containsExactly("bob@example.com");
        assertThat(spooled).singleElement().satisfies(copy -> {
            assertThat(copy.state()).isEqualTo("strip");
            assertThat(copy.recipients()).containsExactly("fin@example.com");
            assertThat(copy.virusApplied()).isTrue();
        });
    }

    @Test
    void suspiciousMailDeliveredAsThePolicySaysIsStampedForItsRecipients() throws Exception {
        Policy lenient = PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"suspicious\": \"deliver-tagged\"}}"),
            PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), "").policy();
        Mail mail = mail("bob@example.com", "lab@example.com");
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("SUSPICIOUS")));
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_NAMES, AttributeValue.of("Heuristics.Limits.Exceeded.MaxFiles")));

        mailet(Map.of("lab@example.com", lenient)).service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(recipients(mail)).containsExactly("lab@example.com");
        assertThat(mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(new MailAddress("lab@example.com")))
            .extracting(org.apache.mailet.PerRecipientHeaders.Header::getName).containsExactly(dev.bulwark.mailets.stamp.ScanStamp.HEADER);
        // Its own kind: an on-demand mailbox scan tells a finding the policy accepted from one the pipeline missed.
        assertThat(mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(new MailAddress("lab@example.com")))
            .extracting(org.apache.mailet.PerRecipientHeaders.Header::getValue).singleElement().asString().startsWith("v2 policy-delivered ");
        assertThat(mail.getAttribute(ApplyPolicy.DELIVERED_TAGGED)).as("for a part split off later").isPresent();
        assertThat(spooled).singleElement().extracting(Spooled::state).isEqualTo("quarantine");
    }

    @Test
    void encryptedAndDamagedContentAPolicyHoldsIsHeldForARescanAndQuarantinedWhenTheRescanDidNotChangeIt() throws Exception {
        Policy holding = PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"encrypted\": \"hold\", \"damaged\": \"hold\"}}"),
            PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), "").policy();
        Mail encrypted = mail("lab@example.com", "bob@example.com");
        encrypted.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("SUSPICIOUS")));
        encrypted.setAttribute(new Attribute(BulwarkAttributes.VIRUS_NAMES, AttributeValue.of("Heuristics.Encrypted.Zip")));
        mailet(Map.of("lab@example.com", holding)).service(encrypted);
        assertThat(encrypted.getState()).isEqualTo("unscannable");
        assertThat(recipients(encrypted)).containsExactly("lab@example.com");
        assertThat(spooled).singleElement().satisfies(copy -> {
            assertThat(copy.state()).isEqualTo("quarantine");
            assertThat(copy.recipients()).containsExactly("bob@example.com");
        });

        Mail damaged = mail("lab@example.com");
        damaged.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("CLEAN")));
        damaged.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.SUSPICIOUS, AttributeValue.of("a.zip: damaged archive")));
        mailet(Map.of("lab@example.com", holding)).service(damaged);
        assertThat(damaged.getState()).isEqualTo("unscannable");

        // Back from the rescan (HeldMailRescan) with the same verdict: quarantined, not held round and round.
        Mail rescanned = mail("lab@example.com");
        rescanned.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("SUSPICIOUS")));
        rescanned.setAttribute(new Attribute(BulwarkAttributes.VIRUS_NAMES, AttributeValue.of("Heuristics.Encrypted.Zip")));
        rescanned.setAttribute(new Attribute(dev.bulwark.matchers.InOutbreak.RESCANNED, AttributeValue.of("rescan")));
        mailet(Map.of("lab@example.com", holding)).service(rescanned);
        assertThat(rescanned.getState()).isEqualTo("quarantine");
    }

    @Test
    void bannedAttachmentsFollowEachRecipientsBannedActionOnceAfterTheVirusVerdict() throws Exception {
        Policy lenient = PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"banned\": \"deliver-tagged\"}}"),
            PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), "").policy();
        Mail mail = mail("bob@example.com", "lab@example.com");
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("CLEAN")));
        mail.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.REASON, AttributeValue.of("setup.exe: executable")));
        ApplyPolicy mailet = mailet(Map.of("lab@example.com", lenient));

        mailet.service(mail);
        assertThat(recipients(mail)).containsExactly("lab@example.com");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(spooled).singleElement().satisfies(copy -> assertThat(copy.state()).isEqualTo("quarantine"));
        // Applied once: the same mailet again (after SpamCheck) leaves it alone.
        mailet.service(mail);
        assertThat(spooled).hasSize(1);
        assertThat(mail.getAttribute(ApplyPolicy.APPLIED).orElseThrow().getValue().value()).isEqualTo("banned");
        assertThat(mail.getMessage().getHeader(ApplyPolicy.POLICY_HEADER))
            .containsExactly("banned (setup.exe: executable), delivered as the recipient's policy says");
    }

    @Test
    void aPartSplitOffAfterThePolicyDeliveredItTaggedGetsThePolicyHeaderBackAfterRootStrippedIt() throws Exception {
        Policy lenient = PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"banned\": \"deliver-tagged\"}}"),
            PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), "").policy();
        Mail mail = mail("lab@example.com", "tag@example.com");
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("CLEAN")));
        mail.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.REASON, AttributeValue.of("setup.exe: executable")));
        ApplyPolicy mailet = mailet(Map.of("lab@example.com", lenient, "tag@example.com", lenient));
        mailet.service(mail);
        String[] unsplit = mail.getMessage().getHeader(ApplyPolicy.POLICY_HEADER);
        assertThat(unsplit).singleElement().asString().startsWith("banned (setup.exe: executable)");

        // The spam policy's part for tag@ back through root, with the mail's attributes: StripVerdictHeaders left its message without the header.
        Mail part = mail("tag@example.com");
        mail.attributes().forEach(part::setAttribute);
        assertThat(part.getMessage().getHeader(ApplyPolicy.POLICY_HEADER)).isNull();
        mailet.service(part);

        assertThat(part.getMessage().getHeader(ApplyPolicy.POLICY_HEADER)).containsExactly(unsplit);
        assertThat(spooled).as("the banned policy is not applied again").isEmpty();
    }

    @Test
    void bannedAttachmentsAPolicyStripsGoToTheStripProcessorMarkedForStripInfectedParts() throws Exception {
        Policy stripping = PolicyDocuments.parseOverride(PolicyDocuments.read("{\"actions\": {\"banned\": \"strip\", \"damaged\": \"strip\"}}"),
            PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), "").policy();
        Mail mail = mail("bob@example.com", "lab@example.com");
        mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("CLEAN")));
        mail.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.REASON, AttributeValue.of("setup.exe: executable")));
        mail.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.BANNED_PARTS, AttributeValue.of("2")));

        mailet(Map.of("lab@example.com", stripping)).service(mail);

        assertThat(mail.getState()).isEqualTo("quarantine");
        assertThat(recipients(mail)).containsExactly("bob@example.com");
        assertThat(spooled).singleElement().satisfies(copy -> {
            assertThat(copy.state()).isEqualTo("strip");
            assertThat(copy.recipients()).containsExactly("lab@example.com");
        });
        // StripInfectedParts removes the recorded parts only for mail whose banned verdict sent it there.
        assertThat(mail.getAttribute(ApplyPolicy.APPLIED).orElseThrow().getValue().value()).isEqualTo("banned");

        Mail damaged = mail("lab@example.com");
        damaged.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.SUSPICIOUS, AttributeValue.of("damaged: a.zip: archive cannot be read")));
        mailet(Map.of("lab@example.com", stripping)).service(damaged);
        assertThat(damaged.getState()).isEqualTo("strip");
        assertThat(damaged.getAttribute(ApplyPolicy.APPLIED).orElseThrow().getValue().value()).isEqualTo("damaged");
    }

    @Test
    void theSpamScoreMeetsEachRecipientsThresholds() throws Exception {
        Mail mail = mail("bob@example.com", "fin@example.com", "tag@example.com");
        mail.setAttribute(new Attribute(BulwarkAttributes.SPAM_SCORE, AttributeValue.of(6.0)));

        mailet(Map.of("fin@example.com", FINANCE, "tag@example.com", TAGGED)).service(mail);

        // The default quarantines never and has no tag: bob's copy goes on here, untouched. The tagged part goes back
        // through this processor with its verdicts to reuse.
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(recipients(mail)).containsExactly("bob@example.com");
        assertThat(mail.getMessage().getSubject()).isEqualTo("offer");
        assertThat(spooled).hasSize(2);
        assertThat(spooled).containsExactlyInAnyOrder(new Spooled("spam-quarantine", List.of("fin@example.com"), "offer", false, false),
            new Spooled(Mail.DEFAULT, List.of("tag@example.com"), "[Spam?] offer", false, true));
    }

    @Test
    void aTaggedPartGoesToTheContinueProcessorWhenOneIsSet() throws Exception {
        ApplyPolicy mailet = new ApplyPolicy(recipient -> recipient.asString().equals("tag@example.com") ? TAGGED : DEFAULT, spool(),
            new dev.bulwark.mailets.stamp.ScanStamp(new byte[32]));
        mailet.init(FakeMailetConfig.builder().mailetName("ApplyPolicy").setProperty("continueProcessor", "root").build());
        Mail mail = mail("bob@example.com", "tag@example.com");
        mail.setState("strip");
        mail.setAttribute(new Attribute(BulwarkAttributes.SPAM_SCORE, AttributeValue.of(6.0)));

        mailet.service(mail);

        // Not back into strip (a second quarantine entry, a second strip): on through root, verdicts reused.
        assertThat(mail.getState()).isEqualTo("strip");
        assertThat(spooled).containsExactly(new Spooled("root", List.of("tag@example.com"), "[Spam?] offer", false, true));
    }

    @Test
    void mailDeliveredUnscannedGetsNoScanStampWhateverThePolicyDeliversTagged() throws Exception {
        Policy lenient = PolicyDocuments.parseOverride(PolicyDocuments.read(
                "{\"actions\": {\"damaged\": \"deliver-tagged\", \"scanFailed\": \"deliver-tagged\", \"allowUnscannedDelivery\": true}}"),
            PolicyDefaults.builtInDocument(OutbreakSettings.DEFAULT), "").policy();
        Mail unscanned = mail("lab@example.com");
        unscanned.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("ERROR")));
        unscanned.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.SUSPICIOUS, AttributeValue.of("a.zip: damaged archive")));
        Mail scanned = mail("lab@example.com");
        scanned.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("CLEAN")));
        scanned.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.SUSPICIOUS, AttributeValue.of("a.zip: damaged archive")));

        mailet(Map.of("lab@example.com", lenient)).service(unscanned);
        mailet(Map.of("lab@example.com", lenient)).service(scanned);

        MailAddress lab = new MailAddress("lab@example.com");
        assertThat(unscanned.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(unscanned.getMessage().getHeader(ApplyPolicy.POLICY_HEADER)).isNotNull();
        assertThat(unscanned.getPerRecipientSpecificHeaders().getHeadersForRecipient(lab)).as("clamd never judged it").isEmpty();
        assertThat(scanned.getPerRecipientSpecificHeaders().getHeadersForRecipient(lab))
            .extracting(org.apache.mailet.PerRecipientHeaders.Header::getName).containsExactly(dev.bulwark.mailets.stamp.ScanStamp.HEADER);
    }

    @Test
    void aVirusVerdictAppliedOnceIsNotAppliedAgainAndCleanUnscoredMailGoesOn() throws Exception {
        Mail suspicious = mail("bob@example.com");
        suspicious.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("SUSPICIOUS")));
        suspicious.setAttribute(new Attribute(ApplyPolicy.APPLIED, AttributeValue.of("suspicious")));
        mailet(Map.of()).service(suspicious);
        Mail clean = mail("bob@example.com");
        mailet(Map.of()).service(clean);

        assertThat(suspicious.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(clean.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(spooled).isEmpty();
    }

    @Test
    void theFindingsOfAnAttachmentCheckThatMatchedOnlyOtherRecipientsAreDropped() throws Exception {
        Mail others = mail("bob@example.com");
        others.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.REASON, AttributeValue.of("invoice.pdf: banned extension .pdf")));
        others.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.BANNED_FOR, AttributeValue.of("fin@example.com")));
        others.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.BANNED_PARTS, AttributeValue.of("2")));

        mailet(Map.of()).service(others);
        assertThat(others.getAttribute(dev.bulwark.matchers.HasBannedAttachment.BANNED_PARTS)).isEmpty();

        assertThat(others.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(others.getAttribute(dev.bulwark.matchers.HasBannedAttachment.REASON)).isEmpty();
        assertThat(others.getAttribute(ApplyPolicy.APPLIED)).isEmpty();
        assertThat(spooled).isEmpty();

        Mail theirs = mail("fin@example.com");
        theirs.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.REASON, AttributeValue.of("invoice.pdf: banned extension .pdf")));
        theirs.setAttribute(new Attribute(dev.bulwark.matchers.HasBannedAttachment.BANNED_FOR, AttributeValue.of("fin@example.com")));
        mailet(Map.of()).service(theirs);
        assertThat(theirs.getState()).isEqualTo("quarantine");
    }
}
