package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import dev.bulwark.mailets.stamp.ScanStamp;
import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;

/** VirusScan's orchestration with a scripted scanner; the real clamd path is in integration-tests. */
class VirusScanTest {
    private final RecordedEvents events = new RecordedEvents();

    private static final Endpoint CLAMD = new Endpoint("127.0.0.1", 3310);
    private static final ScanStamp STAMP = new ScanStamp(new byte[32]);

    private VirusScan mailet(VirusScanner scanner, String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("VirusScan");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        VirusScan mailet = new VirusScan(scanner, events, STAMP);
        mailet.init(config.build());
        return mailet;
    }

    private static Mail mail() throws MessagingException {
        return FakeMail.builder().name("m1").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("X-Bulwark-Virus", "clean (forged by the sender)")
                .setSubject("hello").setText("body"))
            .recipient("bob@example.com").build();
    }

    private static Optional<String> attribute(Mail mail, org.apache.mailet.AttributeName name) {
        return AttributeUtils.getValueAndCastFromMail(mail, name, String.class);
    }

    @Test
    void contentClamdFindsEncryptedIsBannedAsTheAttachmentCheckBansIt() throws Exception {
        Mail encrypted = mail();
        mailet(content -> ScanVerdict.suspicious(List.of("Heuristics.Encrypted.Zip"), CLAMD)).service(encrypted);
        assertThat(attribute(encrypted, BulwarkAttributes.VIRUS_STATUS)).contains("SUSPICIOUS");
        assertThat(attribute(encrypted, dev.bulwark.matchers.HasBannedAttachment.REASON)).contains("encrypted content (clamd: Heuristics.Encrypted.Zip)");
        assertThat(Quarantine.reasonFromVerdict(encrypted)).isEqualTo(dev.bulwark.quarantine.QuarantineReason.BANNED);

        Mail limits = mail();
        mailet(content -> ScanVerdict.suspicious(List.of("Heuristics.Limits.Exceeded.MaxRecursion"), CLAMD)).service(limits);
        assertThat(attribute(limits, dev.bulwark.matchers.HasBannedAttachment.REASON)).isEmpty();
        assertThat(Quarantine.reasonFromVerdict(limits)).isEqualTo(dev.bulwark.quarantine.QuarantineReason.SUSPICIOUS);
    }

    @Test
    void infectedVerdictIsRecordedAndReplacesAForgedHeader() throws Exception {
        Mail mail = mail();
        mailet(content -> ScanVerdict.infected(List.of("Eicar-Test"), CLAMD).withEngine("ClamAV 1.4.6")).service(mail);

        assertThat(attribute(mail, BulwarkAttributes.VIRUS_STATUS)).contains("INFECTED");
        assertThat(attribute(mail, BulwarkAttributes.VIRUS_NAMES)).contains("Eicar-Test");
        assertThat(attribute(mail, BulwarkAttributes.VIRUS_ENDPOINT)).contains("127.0.0.1:3310");
        assertThat(header(mail)).containsExactly("infected: Eicar-Test (ClamAV 1.4.6 at 127.0.0.1:3310)");
        assertThat(mail.getMessage().getHeader("X-Bulwark-Virus")).as("the forged header is gone from the message").isNull();
        assertThat(events.all()).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo("verdict.infected");
            assertThat(event.details()).containsEntry("virusNames", "Eicar-Test").containsEntry("endpoint", "127.0.0.1:3310")
                .containsEntry("mail", "m1");
            assertThat(event.recipients()).containsExactly("bob@example.com");
        });
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
    }

    @Test
    void aVerdictOfItsOwnForgetsWhatEarlierPassesAppliedAndFound() throws Exception {
        // Infected mail quarantined once, then back in root from the held-fallback repository (the quarantine was
        // unwritable): judged again, not let through as "virus policy already applied".
        Mail back = mail();
        back.setAttribute(new org.apache.mailet.Attribute(ApplyPolicy.APPLIED, org.apache.mailet.AttributeValue.of("virus,banned")));
        back.setAttribute(new org.apache.mailet.Attribute(dev.bulwark.matchers.HasBannedAttachment.BANNED_PARTS, org.apache.mailet.AttributeValue.of("2")));
        back.setAttribute(new org.apache.mailet.Attribute(ApplyPolicy.POLICY_HEADER_VALUE,
            org.apache.mailet.AttributeValue.of("banned (setup.exe: executable), delivered as the recipient's policy says")));
        mailet(content -> ScanVerdict.infected(List.of("Eicar-Test"), CLAMD)).service(back);
        assertThat(back.getAttribute(ApplyPolicy.APPLIED)).isEmpty();
        assertThat(back.getAttribute(ApplyPolicy.POLICY_HEADER_VALUE)).as("no policy header for a verdict not yet applied").isEmpty();
        assertThat(attribute(back, dev.bulwark.matchers.HasBannedAttachment.BANNED_PARTS)).isEmpty();

        // A part split off by the policy comes back with its verdict to reuse: what was applied to it stands.
        Mail split = mail();
        mailet(content -> ScanVerdict.infected(List.of("Eicar-Test"), CLAMD)).service(split);
        split.setAttribute(new org.apache.mailet.Attribute(ApplyPolicy.APPLIED, org.apache.mailet.AttributeValue.of("virus")));
        ReusableVerdicts.mark(split, ReusableVerdicts.VIRUS, "policy");
        mailet(content -> { throw new AssertionError("scanned twice"); }).service(split);
        assertThat(attribute(split, ApplyPolicy.APPLIED)).contains("virus");
    }

    @Test
    void scannerErrorHoldsTheMailByDefault() throws Exception {
        Mail mail = mail();
        mailet(content -> ScanVerdict.error("clamd unreachable", CLAMD)).service(mail);

        assertThat(mail.getState()).isEqualTo("scan-failed");
        assertThat(attribute(mail, BulwarkAttributes.VIRUS_STATUS)).contains("ERROR");
        assertThat(header(mail)).containsExactly("not scanned: clamd unreachable");
    }

    @Test
    void unscannableMailGoesWhereScanFailuresGoUnlessToldOtherwise() throws Exception {
        Mail mail = mail();
        mailet(content -> ScanVerdict.unscannable("too big", CLAMD), "scanFailedProcessor", "hold").service(mail);
        assertThat(mail.getState()).isEqualTo("hold");

        Mail big = mail();
        mailet(content -> ScanVerdict.unscannable("too big", CLAMD), "scanFailedProcessor", "hold",
            "unscannableProcessor", "too-big").service(big);
        assertThat(big.getState()).isEqualTo("too-big");
    }

    @Test
    void failOpenLetsTheMailGoOnSayingItWasNotScanned() throws Exception {
        Mail mail = mail();
        mailet(content -> ScanVerdict.error("timeout", CLAMD), "failOpen", "true").service(mail);
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(header(mail)).containsExactly("not scanned: timeout");
    }

    @Test
    void scannerOutputCannotBreakTheHeader() throws Exception {
        Mail mail = mail();
        mailet(content -> ScanVerdict.error("bad\r\nInjected: yes", CLAMD)).service(mail);
        assertThat(mail.getMessage().getHeader("Injected")).isNull();
        assertThat(header(mail)).singleElement().asString().doesNotContain("\r", "\n");
    }

    @Test
    void aRescanReplacesTheEarlierHeaderAndLeavesAPristineMessageUntouched() throws Exception {
        Mail mail = FakeMail.builder().name("m2").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("body"))
            .recipients("bob@example.com", "carol@example.com").build();
        mailet(content -> ScanVerdict.error("clamd unreachable", CLAMD)).service(mail);
        mailet(content -> ScanVerdict.clean(CLAMD)).service(mail);

        for (org.apache.james.core.MailAddress recipient : mail.getRecipients()) {
            assertThat(mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(recipient))
                .filteredOn(header -> header.getName().equals(VirusScan.HEADER))
                .extracting(org.apache.mailet.PerRecipientHeaders.Header::getValue)
                .singleElement().asString().startsWith("clean");
        }
        assertThat(mail.getMessage().getHeader("X-Bulwark-Virus")).isNull();
    }

    @Test
    void cleanMailIsStampedForEachRecipientAndAForgedStampInTheMessageIsRemoved() throws Exception {
        Mail mail = FakeMail.builder().name("m3").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addHeader(ScanStamp.HEADER, "v1 forged").setSubject("hello").setText("body"))
            .recipients("bob@example.com", "carol@example.com").build();
        mailet(content -> ScanVerdict.clean(CLAMD)).service(mail);

        assertThat(mail.getMessage().getHeader(ScanStamp.HEADER)).isNull();
        for (org.apache.james.core.MailAddress recipient : mail.getRecipients()) {
            String delivered = deliveredCopy(mail, recipient);
            assertThat(STAMP.verifies(recipient.asString(), ScanStamp.digest(stream(delivered)))).as(recipient.asString()).isTrue();
            assertThat(STAMP.verifies("mallory@example.com", ScanStamp.digest(stream(delivered)))).isFalse();
        }
    }

    @Test
    void mailThatIsNotCleanCarriesNoStampAndARescanTakesAnEarlierOneAway() throws Exception {
        Mail mail = mail();
        mailet(content -> ScanVerdict.clean(CLAMD)).service(mail);
        assertThat(stamps(mail)).hasSize(1);

        mailet(content -> ScanVerdict.infected(List.of("Eicar-Test"), CLAMD)).service(mail);
        assertThat(stamps(mail)).isEmpty();
        Mail failed = mail();
        mailet(content -> ScanVerdict.error("clamd unreachable", CLAMD), "failOpen", "true").service(failed);
        assertThat(stamps(failed)).isEmpty();
    }

    @Test
    void theCanaryScanFailureDrillIsNeverScannedAndIsHeldUnlessFailOpen() throws Exception {
        Mail drill = mail();
        drill.setAttribute(new org.apache.mailet.Attribute(BulwarkAttributes.CANARY, org.apache.mailet.AttributeValue.of("scan-failure/r1")));
        mailet(content -> {
            throw new AssertionError("the drill must not reach the scanner");
        }).service(drill);
        assertThat(drill.getState()).isEqualTo("scan-failed");
        assertThat(attribute(drill, BulwarkAttributes.VIRUS_STATUS)).contains("ERROR");
        assertThat(events.all()).singleElement().satisfies(event -> assertThat(event.details()).containsEntry("canary", "scan-failure/r1"));

        Mail open = mail();
        open.setAttribute(new org.apache.mailet.Attribute(BulwarkAttributes.CANARY, org.apache.mailet.AttributeValue.of("scan-failure/r2")));
        mailet(content -> ScanVerdict.clean(CLAMD), "failOpen", "true").service(open);
        assertThat(open.getState()).as("a fail-open VirusScan lets it through: the canary watch sees it arrive").isEqualTo(Mail.DEFAULT);
    }

    @Test
    void aPartOfMailAPolicyDeliveredTaggedKeepsThePolicysKindOfStampWhenItComesBackWithItsVerdict() throws Exception {
        for (ScanVerdict verdict : List.of(ScanVerdict.suspicious(List.of("Heuristics.Limits.Exceeded"), CLAMD), ScanVerdict.clean(CLAMD))) {
            Mail split = mail();
            mailet(content -> verdict).service(split);
            split.setAttribute(new org.apache.mailet.Attribute(ApplyPolicy.DELIVERED_TAGGED, org.apache.mailet.AttributeValue.of(true)));
            ReusableVerdicts.mark(split, ReusableVerdicts.VIRUS, "policy");
            mailet(content -> { throw new AssertionError("scanned twice"); }).service(split);
            assertThat(stamps(split)).as(verdict.status().name()).singleElement().asString().startsWith("v2 policy-delivered ");

            // A verdict of its own: what the policy decided before no longer stands.
            mailet(content -> verdict).service(split);
            assertThat(split.getAttribute(ApplyPolicy.DELIVERED_TAGGED)).isEmpty();
            assertThat(stamps(split)).as(verdict.status().name()).allSatisfy(stamp -> assertThat(stamp).startsWith("v1 "));
        }
    }

    private static List<String> stamps(Mail mail) {
        return mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(mail.getRecipients().iterator().next()).stream()
            .filter(h -> h.getName().equals(ScanStamp.HEADER)).map(org.apache.mailet.PerRecipientHeaders.Header::getValue).toList();
    }

    /** The message as LocalDelivery writes it for one recipient: its per-recipient headers added. */
    private static String deliveredCopy(Mail mail, org.apache.james.core.MailAddress recipient) throws Exception {
        javax.mail.internet.MimeMessage copy = new javax.mail.internet.MimeMessage(mail.getMessage());
        for (org.apache.mailet.PerRecipientHeaders.Header header : mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(recipient)) {
            copy.addHeader(header.getName(), header.getValue());
        }
        copy.addHeader("Delivered-To", recipient.asString());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        copy.writeTo(out);
        return out.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static java.io.InputStream stream(String message) {
        return new java.io.ByteArrayInputStream(message.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** The X-Bulwark-Virus values LocalDelivery will write into the first recipient's copy. */
    static List<String> header(Mail mail) {
        return mail.getPerRecipientSpecificHeaders().getHeadersForRecipient(mail.getRecipients().iterator().next()).stream()
            .filter(h -> h.getName().equals("X-Bulwark-Virus"))
            .map(org.apache.mailet.PerRecipientHeaders.Header::getValue)
            .toList();
    }

    @Test
    void unknownOrInvalidParametersAreStartupErrors() {
        assertThatThrownBy(() -> mailet(content -> ScanVerdict.clean(CLAMD), "failopen", "true"))
            .hasMessage("mailetcontainer.xml: mailet VirusScan: unknown parameter [failopen], expected one of [failOpen, quarantineProcessor, scanFailedProcessor, unscannableProcessor]");
        assertThatThrownBy(() -> mailet(content -> ScanVerdict.clean(CLAMD), "failOpen", "sometimes"))
            .hasMessageContaining("'failOpen' is 'sometimes', expected true or false");
    }

    private static dev.bulwark.security.policy.Policy policy(String override) {
        return dev.bulwark.security.policy.PolicyDocuments.parseOverride(dev.bulwark.security.policy.PolicyDocuments.read(override),
            dev.bulwark.security.policy.PolicyDefaults.builtInDocument(dev.bulwark.security.OutbreakSettings.DEFAULT), "").policy();
    }

    @Test
    void mailWithoutAVerdictGoesWhereEachRecipientsPolicySays() throws Exception {
        java.util.Map<String, dev.bulwark.security.policy.Policy> policies = java.util.Map.of(
            "quinn@example.com", policy("{\"actions\": {\"unscannable\": \"quarantine\"}}"),
            "dora@example.com", policy("{\"actions\": {\"unscannable\": \"deliver-tagged\", \"allowUnscannedDelivery\": true}}"));
        dev.bulwark.security.policy.Policy byDefault = dev.bulwark.security.policy.PolicyDefaults.builtIn(dev.bulwark.security.OutbreakSettings.DEFAULT);
        List<String> spooled = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.apache.james.queue.api.MailQueue queue = (org.apache.james.queue.api.MailQueue) java.lang.reflect.Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {org.apache.james.queue.api.MailQueue.class}, (proxy, method, args) -> {
                Mail copy = (Mail) args[0];
                spooled.add(copy.getState() + " " + copy.getRecipients());
                return null;
            });
        org.apache.james.queue.api.MailQueueFactory<?> queues = (org.apache.james.queue.api.MailQueueFactory<?>) java.lang.reflect.Proxy
            .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {org.apache.james.queue.api.MailQueueFactory.class}, (proxy, method, args) -> queue);
        VirusScan mailet = new VirusScan(content -> ScanVerdict.unscannable("a part is over clamd's limit", CLAMD), events, STAMP,
            recipient -> policies.getOrDefault(recipient.asString(), byDefault), queues);
        mailet.init(FakeMailetConfig.builder().mailetName("VirusScan").setProperty("unscannableProcessor", "unscannable").build());
        Mail mail = FakeMail.builder().name("m2").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("big").setText("body"))
            .recipients("bob@example.com", "quinn@example.com", "dora@example.com").build();

        mailet.service(mail);

        // dora's policy delivers it unscanned: the mail goes on here, tagged; bob's (the default) holds it, quinn's quarantines it.
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(mail.getRecipients()).extracting(Object::toString).containsExactly("dora@example.com");
        assertThat(mail.getMessage().getHeader("X-Bulwark-Policy", null))
            .isEqualTo("unscannable (a part is over clamd's limit), delivered unscanned as the recipient's policy says");
        assertThat(header(mail)).containsExactly("not scanned: a part is over clamd's limit");
        assertThat(spooled).containsExactly("unscannable [bob@example.com]", "quarantine [quinn@example.com]");
        assertThat(events.all()).extracting(event -> event.kind()).contains("unscanned.delivered");

        // Without such a recipient the mail itself is held, as without policies.
        Mail held = FakeMail.builder().name("m3").state(Mail.DEFAULT)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("big").setText("body")).recipients("bob@example.com").build();
        mailet.service(held);
        assertThat(held.getState()).isEqualTo("unscannable");
        assertThat(held.getMessage().getHeader("X-Bulwark-Policy")).isNull();
    }
}
