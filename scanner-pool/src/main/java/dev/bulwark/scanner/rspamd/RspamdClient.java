package dev.bulwark.scanner.rspamd;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.ProbeTarget;
import dev.bulwark.scanner.integrity.SelfTest;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamChecker;
import dev.bulwark.scanner.verdict.SpamVerdict;
import dev.bulwark.scanner.wire.BadReplyException;
import dev.bulwark.scanner.wire.BoundedRead;
import dev.bulwark.scanner.wire.MessageReadException;
import dev.bulwark.scanner.wire.Printable;

/**
 * A client for one rspamd's scan port (worker-normal) over its HTTP API: {@code GET /ping} and
 * {@code POST /checkv2}. Messages over {@code maxMessageSize} are not sent (SKIPPED). Immutable, thread-safe.
 * As a {@link ProbeTarget}, it answers PING and must score the GTUBE test mail as spam.
 *
 * <p>The recipient a check is for goes as {@code Deliver-To} and {@code Rcpt}, never as {@code User}: to rspamd
 * {@code User} is the SMTP-authenticated sender, which would make it treat the mail as sent by a local user.
 */
public final class RspamdClient implements SpamChecker, ProbeTarget {
    static final String DAEMON = "rspamd";

    private final Endpoint endpoint;
    private final RspamdHttp http;
    private final long maxMessageSize;

    public RspamdClient(Endpoint endpoint, RspamdPoolConfig config) {
        this.endpoint = Objects.requireNonNull(endpoint);
        this.http = new RspamdHttp(endpoint, config.connectTimeout(), config.timeout());
        this.maxMessageSize = config.maxMessageSize();
    }

    @Override
    public String daemon() {
        return DAEMON;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    /** GTUBE through {@code /checkv2} must come back as spam (rspamd's action {@code reject}). */
    @Override
    public SelfTest selfTest() {
        return new SelfTest.Gtube(this);
    }

    /** {@code GET /ping}; throws if rspamd does not answer {@code pong} in time. */
    @Override
    public void ping() throws IOException {
        RspamdHttp.Reply reply = http.get("/ping");
        String body = new String(reply.body(), StandardCharsets.UTF_8).strip();
        if (reply.status() != 200 || !body.equals("pong")) {
            throw new IOException("rspamd at " + endpoint + " answered /ping with HTTP " + reply.status() + " '" + Printable.of(body) + "'");
        }
    }

    @Override
    public SpamVerdict check(MessageContent content, Optional<String> user) {
        try {
            return checkOrThrow(content, user);
        } catch (SocketTimeoutException e) {
            return SpamVerdict.error("rspamd did not answer within " + http.timeout().toMillis() + " ms", endpoint);
        } catch (IOException e) {
            return SpamVerdict.error("rspamd unreachable: " + e.getMessage(), endpoint);
        }
    }

    /**
     * As {@link #check(MessageContent, Optional)}, but a dead connection is thrown (a passed deadline as
     * {@link SocketTimeoutException}), so that a pool can tell it from a bad reply, which is an ERROR verdict.
     */
    SpamVerdict checkOrThrow(MessageContent content, Optional<String> user) throws IOException {
        Optional<byte[]> message;
        try {
            message = read(content, maxMessageSize);
        } catch (MessageReadException e) {
            return SpamVerdict.error("could not read the message: " + e.getMessage(), endpoint);
        }
        if (message.isEmpty()) {
            return SpamVerdict.skipped("message over " + maxMessageSize + " bytes, not sent to rspamd");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        recipient(user).ifPresent(address -> {
            headers.put("Deliver-To", List.of(address));
            headers.put("Rcpt", List.of(address));
        });
        RspamdHttp.Reply reply;
        try {
            reply = http.post("/checkv2", headers, message.get());
        } catch (BadReplyException e) {
            return SpamVerdict.error(e.getMessage(), endpoint);
        }
        return RspamdReplies.parseCheck(reply.status(), reply.body(), endpoint);
    }

    /** A user name that can be a header value: printable ASCII without spaces; anything else is left out. */
    static Optional<String> recipient(Optional<String> user) {
        return user.filter(u -> !u.isBlank() && u.length() <= 320 && u.chars().allMatch(c -> c > 0x20 && c < 0x7f));
    }

    /** The whole message, or empty when it is over the size limit (only that much is read). */
    static Optional<byte[]> read(MessageContent content, long limit) throws MessageReadException {
        return BoundedRead.upTo(limit, content::writeTo);
    }

    @Override
    public String toString() {
        return "RspamdClient[" + endpoint + "]";
    }
}
