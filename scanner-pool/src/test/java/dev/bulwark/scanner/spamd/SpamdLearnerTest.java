package dev.bulwark.scanner.spamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamLearner.LearnAs;
import dev.bulwark.scanner.verdict.SpamLearner.LearnOutcome;

/** Learning through TELL against the run's real spamd (started with --allow-tell by scripts/scanners.sh). */
@ExtendWith(ScannerDaemonsExtension.class)
class SpamdLearnerTest {
    private Endpoint realSpamd;
    private SpamdPool pool;

    @BeforeEach
    void endpoint(ScannerDaemons daemons) {
        realSpamd = new Endpoint(daemons.spamdHost(), daemons.spamdPort());
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    private static MessageContent unique(String subject) {
        long nonce = System.nanoTime();
        return MessageContent.of(TestSamples.plainMessage("seller@outside.test", "bob@example.com", subject + " " + nonce,
            "Cheap watches and pills, order " + nonce + " now, limited offer number " + nonce).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void theSameLessonTwiceIsAlreadyLearnedTheSecondTime() throws IOException {
        pool = new SpamdPool(SpamdPoolConfig.defaults(List.of(realSpamd)));
        SpamdLearner learner = new SpamdLearner(pool);
        MessageContent message = unique("learn twice");

        assertThat(learner.engine()).isEqualTo("spamd");
        assertThat(learner.learn(message, "bob@example.com", LearnAs.SPAM)).isEqualTo(LearnOutcome.LEARNED);
        assertThat(learner.learn(message, "bob@example.com", LearnAs.SPAM)).isEqualTo(LearnOutcome.ALREADY_LEARNED);
    }

    @Test
    void aMessageLearnedAsSpamCanBeRelearnedAsHam() throws IOException {
        pool = new SpamdPool(SpamdPoolConfig.defaults(List.of(realSpamd)));
        SpamdLearner learner = new SpamdLearner(pool);
        MessageContent message = unique("false positive");

        assertThat(learner.learn(message, "bob@example.com", LearnAs.SPAM)).isEqualTo(LearnOutcome.LEARNED);
        // SpamAssassin forgets the earlier class itself: a user who takes a message back out of junk is heard.
        assertThat(learner.learn(message, "bob@example.com", LearnAs.HAM)).isEqualTo(LearnOutcome.LEARNED);
        assertThat(learner.learn(message, "bob@example.com", LearnAs.HAM)).isEqualTo(LearnOutcome.ALREADY_LEARNED);
    }

    @Test
    void aDeadFirstEndpointPassesTheLessonToTheNext() throws IOException {
        Endpoint dead = new Endpoint("127.0.0.1", Ports.unused());
        pool = new SpamdPool(SpamdPoolConfig.defaults(List.of(dead, realSpamd)));
        assertThat(new SpamdLearner(pool).learn(unique("failover"), "bob@example.com", LearnAs.SPAM)).isEqualTo(LearnOutcome.LEARNED);
    }

    @Test
    void noEndpointToldIsAnIOExceptionNamingEach() {
        Endpoint dead = new Endpoint("127.0.0.1", Ports.unused());
        pool = new SpamdPool(SpamdPoolConfig.defaults(List.of(dead)));
        assertThatThrownBy(() -> new SpamdLearner(pool).learn(unique("nobody"), "bob@example.com", LearnAs.HAM))
            .isInstanceOf(IOException.class).hasMessageContaining("no spamd could be told").hasMessageContaining(dead.toString());
    }
}
