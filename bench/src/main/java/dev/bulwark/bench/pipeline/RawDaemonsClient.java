package dev.bulwark.bench.pipeline;

import java.io.IOException;

import dev.bulwark.bench.RawClamdSession;

/**
 * The ceiling: the scanning work the pipelines ask of the daemons, done with the raw protocols and nothing
 * else. Per message, as both scanning pipelines decide: clamd INSTREAM over this client's own IDSESSION
 * (framed in one buffer, one write), then, unless infected or over {@link #SPAM_CHECK_LIMIT}, one spam check:
 * spamd CHECK, or rspamd {@code /checkv2} when {@code rspamd}. Once per mail, as Bulwark checks.
 */
final class RawDaemonsClient implements LoadGenerator.Client {
    /** Bulwark's spamd.maxMessageSize (500K) and the stock pipeline's SizeGreaterThan=500k. */
    static final int SPAM_CHECK_LIMIT = 500 * 1024;
    private static final int CHUNK_SIZE = 64 * 1024;

    private final Daemons daemons;
    private final RawClamdSession clamd;
    /** Null: spamd. */
    private final RawRspamdCheck rspamd;

    RawDaemonsClient(Daemons daemons, boolean rspamd) throws IOException {
        this.daemons = daemons;
        this.clamd = RawClamdSession.open(daemons.clamdHost(), daemons.clamdPort());
        this.rspamd = rspamd ? new RawRspamdCheck(daemons.rspamdHost(), daemons.rspamdPort()) : null;
    }

    @Override
    public Outcome handle(CorpusMessage message, String token, long deadlineNanos) throws IOException {
        byte[] bytes = message.withToken(token);
        // Framed in one buffer (one copy of the message) and sent in one write.
        byte[] request = RawClamdSession.instreamRequest(bytes, CHUNK_SIZE);
        String reply = clamd.scan(request);
        if (reply.endsWith(" FOUND")) {
            return new Outcome(Outcome.State.QUARANTINED, false, System.nanoTime());
        }
        if (!reply.equals("stream: OK")) {
            throw new IOException("clamd answered '" + reply + "'");
        }
        boolean spam = bytes.length <= SPAM_CHECK_LIMIT && (rspamd != null ? rspamd.isSpam(bytes)
            : RawSpamdCheck.isSpam(daemons.spamdHost(), daemons.spamdPort(), bytes, JamesInstance.RECIPIENT));
        return new Outcome(Outcome.State.DELIVERED, spam, System.nanoTime());
    }

    @Override
    public void close() {
        clamd.close();
    }
}
