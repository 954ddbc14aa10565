package dev.bulwark.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

class MatchersTest {
    private static FakeMail mail(Attribute... attributes) throws MessagingException {
        return FakeMail.builder().name("m").recipients("a@example.com", "b@example.com").attributes(java.util.List.of(attributes)).build();
    }

    private static <T extends org.apache.mailet.base.GenericMatcher> T init(T matcher, String condition) throws MessagingException {
        matcher.init(FakeMatcherConfig.builder().matcherName(matcher.getClass().getSimpleName()).condition(condition).build());
        return matcher;
    }

    @Test
    void isInfectedMatchesAllRecipientsOfInfectedMailOnly() throws MessagingException {
        IsInfected matcher = init(new IsInfected(), null);
        assertThat(matcher.match(mail(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("INFECTED")))))
            .hasSize(2);
        assertThat(matcher.match(mail(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of("CLEAN"))))).isEmpty();
        assertThat(matcher.match(mail())).isEmpty();
    }

    @Test
    void senderIsTrustedMatchesAnAuthenticatedOrAuthorisedNetworkSenderOnly() throws MessagingException {
        SenderIsTrusted matcher = init(new SenderIsTrusted(), null);
        FakeMail authenticated = FakeMail.builder().name("auth").sender("alice@example.com").recipients("a@example.com", "b@example.com")
            .attribute(new Attribute(org.apache.mailet.Mail.SMTP_AUTH_USER, AttributeValue.of("alice@example.com"))).build();
        FakeMail network = FakeMail.builder().name("net").sender("relay@example.com").recipient("a@example.com")
            .attribute(new Attribute(SenderIsTrusted.AUTHORISED_NETWORK, AttributeValue.of(true))).build();
        FakeMail outsideNetwork = FakeMail.builder().name("out").sender("relay@example.com").recipient("a@example.com")
            .attribute(new Attribute(SenderIsTrusted.AUTHORISED_NETWORK, AttributeValue.of(false))).build();
        FakeMail forged = FakeMail.builder().name("forged").sender("ceo@example.com").recipient("a@example.com").build();
        FakeMail nullSender = FakeMail.builder().name("null").recipient("a@example.com")
            .attribute(new Attribute(org.apache.mailet.Mail.SMTP_AUTH_USER, AttributeValue.of("alice@example.com"))).build();

        assertThat(matcher.match(authenticated)).hasSize(2);
        assertThat(matcher.match(network)).hasSize(1);
        assertThat(matcher.match(outsideNetwork)).as("a client outside the authorised networks").isEmpty();
        assertThat(matcher.match(forged)).as("a sender nobody vouches for may be forged").isEmpty();
        assertThat(matcher.match(nullSender)).as("nobody to write to").isEmpty();
    }

    @Test
    void isCanaryMatchesOnlyMailCarryingTheCanaryAttributeNotAHeader() throws MessagingException {
        IsCanary matcher = init(new IsCanary(), null);
        assertThat(matcher.match(mail(new Attribute(BulwarkAttributes.CANARY, AttributeValue.of("virus/r1"))))).hasSize(2);
        FakeMail withHeader = FakeMail.builder().name("h").recipient("a@example.com")
            .mimeMessage(org.apache.james.core.builder.MimeMessageBuilder.mimeMessageBuilder().addHeader("X-Bulwark-Canary", "virus/r1")
                .setText("hello")).build();
        assertThat(matcher.match(withHeader)).isEmpty();
        assertThat(matcher.match(mail())).isEmpty();
    }

    @Test
    void eachVirusStatusMatcherMatchesItsStatusOnly() throws MessagingException {
        java.util.Map<String, org.apache.mailet.base.GenericMatcher> matchers = java.util.Map.of(
            "INFECTED", init(new IsInfected(), null),
            "SUSPICIOUS", init(new IsSuspicious(), null),
            "UNSCANNABLE", init(new IsUnscannable(), null),
            "ERROR", init(new ScanFailed(), null));
        for (String status : java.util.List.of("CLEAN", "INFECTED", "SUSPICIOUS", "UNSCANNABLE", "ERROR")) {
            FakeMail mail = mail(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of(status)));
            matchers.forEach((matchedStatus, matcher) -> {
                try {
                    assertThat(matcher.match(mail)).as(matcher.getClass().getSimpleName() + " on " + status)
                        .hasSize(matchedStatus.equals(status) ? 2 : 0);
                } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void aHeaderNamedLikeTheAttributeIsIgnored() throws MessagingException {
        FakeMail forged = FakeMail.builder().name("m").recipients("a@example.com")
            .mimeMessage(org.apache.james.core.builder.MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("bulwark.virus.status", "INFECTED").addHeader("X-Bulwark-Virus", "infected: X").setText("x"))
            .build();
        assertThat(init(new IsInfected(), null).match(forged)).isEmpty();
    }

    @Test
    void isSpamFollowsSpamdVerdictWithoutCondition() throws MessagingException {
        IsSpam matcher = init(new IsSpam(), null);
        assertThat(matcher.match(mail(new Attribute(BulwarkAttributes.SPAM_STATUS, AttributeValue.of("SPAM"))))).hasSize(2);
        assertThat(matcher.match(mail(new Attribute(BulwarkAttributes.SPAM_STATUS, AttributeValue.of("HAM"))))).isEmpty();
    }

    @Test
    void isSpamWithScoreConditionComparesTheScore() throws MessagingException {
        IsSpam matcher = init(new IsSpam(), "10.0");
        assertThat(matcher.match(mail(new Attribute(BulwarkAttributes.SPAM_SCORE, AttributeValue.of(12.5))))).hasSize(2);
        assertThat(matcher.match(mail(new Attribute(BulwarkAttributes.SPAM_SCORE, AttributeValue.of(6.0))))).isEmpty();
    }

    @Test
    void isSpamRejectsAConditionThatIsNotAScore() {
        assertThatThrownBy(() -> init(new IsSpam(), "lots")).isInstanceOf(MessagingException.class).hasMessageContaining("lots");
    }

    @Test
    void isReleasedFromQuarantineMatchesOnlyMailReleasedByBulwark() throws MessagingException {
        IsReleasedFromQuarantine matcher = init(new IsReleasedFromQuarantine(), null);
        assertThat(matcher.match(mail(new Attribute(dev.bulwark.quarantine.QuarantineStore.RELEASED, AttributeValue.of("q-1"))))).hasSize(2);
        assertThat(matcher.match(mail())).isEmpty();
        FakeMail forged = FakeMail.builder().name("m").recipients("a@example.com")
            .mimeMessage(org.apache.james.core.builder.MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("bulwark.quarantine.released", "q-1").setText("x"))
            .build();
        assertThat(matcher.match(forged)).isEmpty();
    }
}
