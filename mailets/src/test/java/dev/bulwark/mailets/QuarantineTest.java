package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import javax.mail.MessagingException;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.quarantine.QuarantineEntry;
import dev.bulwark.quarantine.QuarantineFilter;
import dev.bulwark.quarantine.QuarantineReason;
import dev.bulwark.quarantine.QuarantineStore;

class QuarantineTest {
    private final MemoryMailRepository repository = new MemoryMailRepository();
    private final QuarantineStore store = new QuarantineStore(() -> repository, Duration.ofDays(7), Clock.systemUTC());
    private final RecordedEvents events = new RecordedEvents();

    @Test
    void storesInfectedMailWithItsVerdictAndEndsItsProcessing() throws Exception {
        Quarantine mailet = mailet(FakeMailetConfig.builder().mailetName("Quarantine").build());
        FakeMail mail = infected();

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        QuarantineEntry entry = store.list(QuarantineFilter.ALL, 0, 10).entries().get(0);
        assertThat(entry.reason()).isEqualTo(QuarantineReason.VIRUS);
        assertThat(entry.virusNames()).containsExactly("Eicar-Signature", "Other");
        assertThat(entry.verdict()).containsEntry("bulwark.virus.status", "INFECTED");
        assertThat(entry.sender()).contains("sender@example.com");
        assertThat(entry.recipients()).containsExactly("a@example.com", "b@example.com");
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        store.writeMessage(entry.id(), stored);
        assertThat(stored.toString(StandardCharsets.UTF_8)).doesNotContain(VirusScan.HEADER).contains("Subject: hello");
        assertThat(mail.getMessage().getHeader(VirusScan.HEADER)).isNotNull();
        assertThat(events.all()).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo("quarantine.stored");
            assertThat(event.details()).containsEntry("quarantineId", entry.id().asString()).containsEntry("reason", "virus");
            assertThat(event.recipients()).containsExactly("a@example.com", "b@example.com");
        });
    }

    @Test
    void passThroughKeepsProcessingAndNamesTheEntry() throws Exception {
        Quarantine mailet = mailet(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("passThrough", "true")
            .setProperty("reason", "policy").build());
        FakeMail mail = infected();
        mail.setState("root");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo("root");
        QuarantineEntry entry = store.list(QuarantineFilter.ALL, 0, 10).entries().get(0);
        assertThat(entry.reason()).isEqualTo(QuarantineReason.POLICY);
        assertThat(mail.getAttribute(QuarantineStore.ID)).contains(new Attribute(QuarantineStore.ID, AttributeValue.of(entry.id().asString())));
    }

    @Test
    void aCanaryCarrierIsNeverKeptNorPassedOnButItsCatchIsReported() throws Exception {
        Quarantine mailet = mailet(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("passThrough", "true").build());
        FakeMail mail = infected();
        mail.setAttribute(new Attribute(BulwarkAttributes.CANARY, AttributeValue.of("virus/r1")));
        mail.setState("quarantine");

        mailet.service(mail);

        assertThat(mail.getState()).as("no notice mailet after it sees it").isEqualTo(Mail.GHOST);
        assertThat(store.list(QuarantineFilter.ALL, 0, 10).total()).isZero();
        assertThat(events.all()).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo("quarantine.stored");
            assertThat(event.details()).containsEntry("canary", "virus/r1").containsEntry("reason", "virus");
        });
    }

    @Test
    void mailAlreadyKeptPassesThroughForItsNoticesWithoutASecondEntry() throws Exception {
        Quarantine mailet = mailet(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("passThrough", "true").build());
        FakeMail mail = infected();
        mail.setAttribute(new Attribute(QuarantineStore.STORED, AttributeValue.of("0f1e2d3c-0000-0000-0000-000000000001")));
        mail.setState("quarantine");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo("quarantine");
        assertThat(mail.getAttribute(QuarantineStore.ID)).contains(new Attribute(QuarantineStore.ID,
            AttributeValue.of("0f1e2d3c-0000-0000-0000-000000000001")));
        assertThat(store.list(QuarantineFilter.ALL, 0, 10).total()).isZero();
        assertThat(events.all()).isEmpty();
    }

    @Test
    void reasonComesFromTheVerdict() throws Exception {
        assertThat(Quarantine.reasonFromVerdict(withStatus(BulwarkAttributes.VIRUS_STATUS, "SUSPICIOUS"))).isEqualTo(QuarantineReason.SUSPICIOUS);
        assertThat(Quarantine.reasonFromVerdict(withStatus(BulwarkAttributes.VIRUS_STATUS, "ERROR"))).isEqualTo(QuarantineReason.SCAN_FAILED);
        assertThat(Quarantine.reasonFromVerdict(withStatus(BulwarkAttributes.VIRUS_STATUS, "UNSCANNABLE"))).isEqualTo(QuarantineReason.UNSCANNABLE);
        assertThat(Quarantine.reasonFromVerdict(withStatus(BulwarkAttributes.SPAM_STATUS, "SPAM"))).isEqualTo(QuarantineReason.SPAM);
        assertThat(Quarantine.reasonFromVerdict(withStatus(BulwarkAttributes.SPAM_STATUS, "HAM"))).isEqualTo(QuarantineReason.POLICY);
        assertThat(Quarantine.reasonFromVerdict(withStatus(dev.bulwark.matchers.HasBannedAttachment.REASON, "x.exe: banned extension .exe")))
            .isEqualTo(QuarantineReason.BANNED);
        assertThat(Quarantine.reasonFromVerdict(withStatus(dev.bulwark.matchers.HasBannedAttachment.SUSPICIOUS, "damaged: a.zip: archive cannot be read")))
            .isEqualTo(QuarantineReason.SUSPICIOUS);
    }

    @Test
    void heldMailIsAHeldEventAndNamesItsReasonForTheNotice() throws Exception {
        FakeMail mail = FakeMail.builder().name("m3").sender("sender@example.com").recipient("a@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("big").setText("x"))
            .attribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("UNSCANNABLE")))
            .attribute(new Attribute(BulwarkAttributes.VIRUS_REASON, AttributeValue.of("part 2 is over clamd's stream limit")))
            .build();

        mailet(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("passThrough", "true").build()).service(mail);

        assertThat(mail.getAttribute(Quarantine.REASON_ATTRIBUTE)).map(a -> (Object) a.getValue().value()).contains("unscannable");
        assertThat(events.all()).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo("held.stored");
            assertThat(event.details()).containsEntry("reason", "unscannable").containsEntry("virusReason", "part 2 is over clamd's stream limit");
        });
        assertThat(store.counts()).containsEntry(QuarantineReason.UNSCANNABLE, 1L);
    }

    @Test
    void anUnknownReasonIsAStartupError() {
        assertThatThrownBy(() -> mailet(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("reason", "virsu").build()))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'reason' is 'virsu', expected one of [virus, suspicious, banned, spam, scan-failed, policy, unscannable]");
    }

    @Test
    void aRepositoryThatCannotStoreFailsTheMailetAndKeepsTheMail() throws Exception {
        // A repository whose writes fail, as a read-only directory under file:// does.
        org.apache.james.mailrepository.api.MailRepository broken = (org.apache.james.mailrepository.api.MailRepository)
            java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {org.apache.james.mailrepository.api.MailRepository.class}, (proxy, method, args) -> {
                    throw new MessagingException("read-only file system");
                });
        Quarantine mailet = new Quarantine(new QuarantineStore(() -> broken, Duration.ofDays(1), Clock.systemUTC()), events);
        mailet.init(FakeMailetConfig.builder().mailetName("Quarantine").build());
        FakeMail mail = infected();
        mail.setState("quarantine");

        assertThatThrownBy(() -> mailet.service(mail)).isInstanceOf(MessagingException.class).hasMessageContaining("read-only file system");
        assertThat(mail.getState()).isEqualTo("quarantine");
    }

    private Quarantine mailet(FakeMailetConfig config) throws MessagingException {
        Quarantine mailet = new Quarantine(store, events);
        mailet.init(config);
        return mailet;
    }

    private static FakeMail withStatus(org.apache.mailet.AttributeName name, String status) throws MessagingException {
        return FakeMail.builder().name("m").recipient("a@example.com").attribute(new Attribute(name, AttributeValue.of(status))).build();
    }

    private static FakeMail infected() throws MessagingException {
        return FakeMail.builder().name("m1").sender("sender@example.com").recipients("a@example.com", "b@example.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").addHeader(VirusScan.HEADER, "infected: Eicar-Signature").setText("x"))
            .attribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("INFECTED")))
            .attribute(new Attribute(BulwarkAttributes.VIRUS_NAMES, AttributeValue.of("Eicar-Signature,Other")))
            .build();
    }
}
