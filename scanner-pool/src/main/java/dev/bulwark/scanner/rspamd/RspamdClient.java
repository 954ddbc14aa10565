package dev.bulwark.scanner.rspamd;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.integrity.ProbeTarget;
import dev.bulwark.scanner.integrity.SelfTest;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.MessageContext;
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
 * {@code User} is the SMTP-authenticated sender, which would make it treat the mail as sent by a local user. How the
 * message arrived ({@link MessageContext}) goes as a milter would give it: {@code IP}, {@code Hostname}, {@code Helo},
 * {@code From} (the envelope sender, {@code <>} for a bounce), {@code User} (only the SMTP-authenticated sender) and
 * {@code Queue-Id}; without {@code IP} rspamd takes the mail for local, and its IP, HELO and sender rules cannot fire.
 * A check of the whole mail (no recipient named) gives every envelope recipient as {@code Rcpt}, up to
 * {@value #MAX_RCPT_HEADERS}.
 * Each value goes only when it can be a header value (printable ASCII without spaces, {@code IP} an address literal).
 *
 * <p>rspamd 3.4 lists in its reply the host name of every URL and every e-mail address it found; no request header
 * of its protocol leaves them out ({@code Flags: skip_process} leaves out the message's body altogether, GTUBE
 * included). Bulwark sends neither {@code URL-Format: extended} nor {@code Flags: ext_urls} (each URL in full)
 * nor {@code Flags: groups}, and reads replies up to {@link RspamdPoolConfig#maxReplySize()}.
 */
public final class RspamdClient implements SpamChecker, ProbeTarget {
    static final String DAEMON = "rspamd";
    /** At most this many {@code Rcpt} headers per check: James accepts more recipients than rspamd's rules need to see. */
    static final int MAX_RCPT_HEADERS = 100;
    private static final Pattern IPV4 = Pattern.compile("(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)");
    /** Hex digits, colons and dots (an IPv4 tail, {@code ::ffff:192.0.2.1}), with a colon: rspamd checks the rest. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

    private final Endpoint endpoint;
    private final RspamdHttp http;
    private final long maxMessageSize;
    private final int maxReplySize;

    public RspamdClient(Endpoint endpoint, RspamdPoolConfig config) {
        this.endpoint = Objects.requireNonNull(endpoint);
        this.http = new RspamdHttp(endpoint, config.connectTimeout(), config.timeout());
        this.maxMessageSize = config.maxMessageSize();
        this.maxReplySize = config.maxReplySize();
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
    public SpamVerdict check(MessageContent content, Optional<String> user, MessageContext context) {
        try {
            return checkOrThrow(content, user, context);
        } catch (SocketTimeoutException e) {
            return SpamVerdict.error("rspamd did not answer within " + http.timeout().toMillis() + " ms", endpoint);
        } catch (IOException e) {
            return SpamVerdict.error("rspamd unreachable: " + e.getMessage(), endpoint);
        }
    }

    /**
     * As {@link #check(MessageContent, Optional, MessageContext)}, but a dead connection is thrown (a passed deadline as
     * {@link SocketTimeoutException}), so that a pool can tell it from a bad reply, which is an ERROR verdict.
     */
    SpamVerdict checkOrThrow(MessageContent content, Optional<String> user, MessageContext context) throws IOException {
        Optional<byte[]> message;
        try {
            message = read(content, maxMessageSize);
        } catch (MessageReadException e) {
            return SpamVerdict.error("could not read the message: " + e.getMessage(), endpoint);
        }
        if (message.isEmpty()) {
            return SpamVerdict.skipped("message over " + maxMessageSize + " bytes, not sent to rspamd");
        }
        RspamdHttp.Reply reply;
        try {
            reply = http.post("/checkv2", requestHeaders(user, context), message.get(), maxReplySize);
        } catch (BadReplyException e) {
            return SpamVerdict.error(e.getMessage(), endpoint);
        }
        return RspamdReplies.parseCheck(reply.status(), reply.body(), endpoint);
    }

    /** rspamd's request headers for a check: the recipient it is for, and how the message arrived. */
    static Map<String, List<String>> requestHeaders(Optional<String> user, MessageContext context) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        Optional<String> recipient = recipient(user);
        recipient.ifPresent(address -> {
            headers.put("Deliver-To", List.of(address));
            headers.put("Rcpt", List.of(address));
        });
        if (recipient.isEmpty()) {
            // A check of the whole mail: every envelope recipient, as a milter gives them (rspamd's per-recipient
            // rules and settings read Rcpt), up to a bound a hostile envelope cannot inflate.
            List<String> recipients = context.recipients().stream().map(RspamdClient::headerValue).flatMap(Optional::stream)
                .limit(MAX_RCPT_HEADERS).toList();
            if (!recipients.isEmpty()) {
                headers.put("Rcpt", recipients);
            }
        }
        context.clientAddress().flatMap(RspamdClient::addressLiteral).ifPresent(ip -> headers.put("IP", List.of(ip)));
        context.clientHostname().flatMap(RspamdClient::headerValue).ifPresent(name -> headers.put("Hostname", List.of(name)));
        context.helo().flatMap(RspamdClient::headerValue).ifPresent(helo -> headers.put("Helo", List.of(helo)));
        context.sender().map(sender -> sender.equals(MessageContext.NULL_SENDER) ? "<>" : sender).flatMap(RspamdClient::headerValue)
            .ifPresent(sender -> headers.put("From", List.of(sender)));
        context.authenticatedUser().flatMap(RspamdClient::headerValue).ifPresent(login -> headers.put("User", List.of(login)));
        context.queueId().flatMap(RspamdClient::headerValue).ifPresent(id -> headers.put("Queue-Id", List.of(id)));
        return headers;
    }

    /** A user name that can be a header value: printable ASCII without spaces; anything else is left out. */
    static Optional<String> recipient(Optional<String> user) {
        return user.flatMap(RspamdClient::headerValue);
    }

    /** Printable ASCII without spaces, at most 320 characters (an address's limit); anything else is left out. */
    static Optional<String> headerValue(String value) {
        return Optional.of(value).filter(v -> !v.isEmpty() && v.length() <= 320 && v.chars().allMatch(c -> c > 0x20 && c < 0x7f));
    }

    /**
     * An IPv4 or IPv6 address literal as rspamd parses it: brackets and an IPv6 zone ({@code %eth0}) taken off; anything
     * else (a host name, which rspamd would not resolve) is left out.
     */
    static Optional<String> addressLiteral(String address) {
        String literal = address.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        return literal.length() <= 45 && (IPV4.matcher(literal).matches() || IPV6.matcher(literal).matches())
            ? Optional.of(literal) : Optional.empty();
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
