package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A load-generator client for a pipeline: sends over SMTP (to James, or to a content filter in front of it), then waits until the tracker sees the final state. */
final class SmtpPipelineClient implements LoadGenerator.Client {
    private final SmtpClient smtp;
    private final OutcomeTracker tracker;

    SmtpPipelineClient(int smtpPort, OutcomeTracker tracker) throws IOException {
        this.smtp = SmtpClient.connect(smtpPort);
        this.tracker = tracker;
    }

    @Override
    public Outcome handle(CorpusMessage message, String token, long deadlineNanos) throws IOException, InterruptedException, ExecutionException {
        CompletableFuture<Outcome> outcome = tracker.expect(token);
        smtp.send(Corpus.SENDER, message.recipients(), message.withToken(token));
        try {
            return outcome.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return new Outcome(Outcome.State.LOST, false, System.nanoTime());
        }
    }

    @Override
    public void close() {
        smtp.close();
    }
}
