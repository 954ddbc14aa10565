package dev.bulwark.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import dev.bulwark.matchers.BulwarkAttributes;

class CanaryCheckpointTest {
    private final RecordedEvents events = new RecordedEvents();

    @Test
    void aCarrierThatGotThroughIsReportedWithItsVerdictsAndEndsHere() throws Exception {
        CanaryCheckpoint checkpoint = checkpoint();
        FakeMail carrier = FakeMail.builder().name("c1").recipient("bulwark-canary@bulwark.test").state("transport")
            .attribute(new Attribute(BulwarkAttributes.CANARY, AttributeValue.of("spam/r7")))
            .attribute(new Attribute(BulwarkAttributes.SPAM_STATUS, AttributeValue.of("SPAM"))).build();

        checkpoint.service(carrier);

        assertThat(carrier.getState()).isEqualTo(Mail.GHOST);
        assertThat(events.all()).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo("canary.reached");
            assertThat(event.details()).containsEntry("canary", "spam/r7").containsEntry("spamStatus", "SPAM").containsEntry("virusStatus", "none");
        });
    }

    @Test
    void mailThatIsNotACarrierIsLeftAloneWhateverTheMatcher() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").recipient("bob@bulwark.test").state("transport").build();
        checkpoint().service(mail);
        assertThat(mail.getState()).isEqualTo("transport");
        assertThat(events.all()).isEmpty();
    }

    private CanaryCheckpoint checkpoint() throws Exception {
        CanaryCheckpoint checkpoint = new CanaryCheckpoint(events);
        checkpoint.init(FakeMailetConfig.builder().mailetName("CanaryCheckpoint").build());
        return checkpoint;
    }
}
