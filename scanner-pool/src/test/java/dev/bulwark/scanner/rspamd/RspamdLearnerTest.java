package dev.bulwark.scanner.rspamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.testing.Ports;
import dev.bulwark.scanner.testing.RspamdDaemon;
import dev.bulwark.scanner.testing.ScannerDaemonsExtension;
import dev.bulwark.scanner.testing.TestSamples;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamLearner.LearnAs;
import dev.bulwark.scanner.verdict.SpamLearner.LearnOutcome;

/** Learning through rspamd's controller: the real rspamd with its redis, and its replies read strictly. */
@ExtendWith(ScannerDaemonsExtension.class)
class RspamdLearnerTest {
    private static final Endpoint CONTROLLER = new Endpoint("127.0.0.1", 11334);

    private static RspamdLearner learner(Endpoint... controllers) {
        return new RspamdLearner(List.of(controllers), RspamdPoolConfig.defaults(List.of(controllers[0])));
    }

    @Test
    void learnsOnceThenSaysAlreadyLearnedAndADeadControllerPassesItOn(RspamdDaemon rspamd) throws IOException {
        assumeTrue(rspamd.learns(), "this rspamd has no redis, so it cannot learn");
        Endpoint dead = new Endpoint("127.0.0.1", Ports.unused());
        RspamdLearner learner = learner(dead, new Endpoint(rspamd.host(), rspamd.controllerPort()));
        MessageContent mail = MessageContent.of(TestSamples.plainMessage("promo@example.com", "bob@example.com", "Cheap watches",
            "Buy cheap watches now, limited offer " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII));
        assertThat(learner.engine()).isEqualTo("rspamd");
        assertThat(learner.learn(mail, "bob@example.com", LearnAs.SPAM)).isEqualTo(LearnOutcome.LEARNED);
        assertThat(learner.learn(mail, "bob@example.com", LearnAs.SPAM)).isEqualTo(LearnOutcome.ALREADY_LEARNED);
        assertThat(learner.learn(mail, "bob@example.com", LearnAs.HAM)).as("relearned as the other class").isEqualTo(LearnOutcome.LEARNED);
    }

    @Test
    void noControllerAnsweringIsAnIoExceptionNamingThem() {
        Endpoint dead = new Endpoint("127.0.0.1", Ports.unused());
        Throwable thrown = catchThrowable(() -> learner(dead).learn(MessageContent.of(new byte[] {'x'}), "bob@example.com", LearnAs.HAM));
        assertThat(thrown).isInstanceOf(IOException.class).hasMessageStartingWith("no rspamd controller could be told: " + dead);
    }

    @Test
    void repliesAreReadStrictly() throws IOException {
        assertThat(outcome(200, "{\"success\":true}")).isEqualTo(LearnOutcome.LEARNED);
        assertThat(outcome(208, "{\"error\":\"<a@b> has been already learned as spam, ignore it\"}")).isEqualTo(LearnOutcome.ALREADY_LEARNED);
        assertThat(outcome(404, "{\"error\":\"<a@b> has been already learned as ham, ignore it\"}")).isEqualTo(LearnOutcome.ALREADY_LEARNED);
        assertThat(RspamdLearner.outcome(new RspamdHttp.Reply(204, "all learn conditions denied learning spam in default classifier", new byte[0]),
            CONTROLLER, LearnAs.SPAM)).as("Bayes has it in that class already").isEqualTo(LearnOutcome.ALREADY_LEARNED);
        assertThat(catchThrowable(() -> RspamdLearner.outcome(new RspamdHttp.Reply(204,
            "<a@b> contains less tokens than required for bayes classifier: 10 < 11", new byte[0]), CONTROLLER, LearnAs.SPAM)))
            .isInstanceOf(IOException.class).hasMessageContaining("HTTP 204 <a@b> contains less tokens than required");
        for (String[] refused : new String[][] {{"204", ""}, {"200", "{\"success\":false}"}, {"200", "ok"}, {"403", "{\"error\":\"Unauthorized\"}"},
            {"500", "{\"error\":\"no redis\"}"}}) {
            assertThat(catchThrowable(() -> outcome(Integer.parseInt(refused[0]), refused[1])))
                .as("HTTP %s %s", refused[0], refused[1])
                .isInstanceOf(IOException.class).hasMessageContaining("refused to learn spam").hasMessageContaining("HTTP " + refused[0]);
        }
    }

    private static LearnOutcome outcome(int status, String body) throws IOException {
        return RspamdLearner.outcome(new RspamdHttp.Reply(status, "", body.getBytes(StandardCharsets.UTF_8)), CONTROLLER, LearnAs.SPAM);
    }
}
