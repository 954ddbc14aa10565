package dev.bulwark.scanner.rspamd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.MessageContent;
import dev.bulwark.scanner.verdict.SpamLearner;
import dev.bulwark.scanner.wire.MessageReadException;
import dev.bulwark.scanner.wire.Printable;

/**
 * Teaches rspamd through its controller (worker-controller): {@code POST /learnspam} or {@code /learnham} with
 * the mailbox owner as {@code Deliver-To}. rspamd 3.4 keeps its Bayes statistics in redis only, so learning needs
 * an rspamd with redis; whether a lesson is kept per user depends on rspamd's classifier ({@code per_user}):
 * {@code scripts/scanners.sh} keeps one Bayes for all users. The controllers are tried in order: a dead one passes
 * the lesson to the next; a refusal is final.
 */
public final class RspamdLearner implements SpamLearner {
    private final List<Endpoint> controllers;
    private final List<RspamdHttp> links;
    private final long maxMessageSize;

    /**
     * @param controllers rspamd's controller ports, in order of preference
     * @param config      timeouts and the size limit (the same as for checks)
     */
    public RspamdLearner(List<Endpoint> controllers, RspamdPoolConfig config) {
        if (controllers.isEmpty()) {
            throw new IllegalArgumentException("at least one rspamd controller endpoint is needed");
        }
        this.controllers = List.copyOf(controllers);
        this.links = this.controllers.stream().map(endpoint -> new RspamdHttp(endpoint, config.connectTimeout(), config.timeout())).toList();
        this.maxMessageSize = config.maxMessageSize();
    }

    @Override
    public String engine() {
        return RspamdClient.DAEMON;
    }

    public List<Endpoint> controllers() {
        return controllers;
    }

    @Override
    public LearnOutcome learn(MessageContent content, String user, LearnAs as) throws IOException {
        byte[] message;
        try {
            message = RspamdClient.read(content, maxMessageSize)
                .orElseThrow(() -> new IOException("message over " + maxMessageSize + " bytes, not sent to rspamd"));
        } catch (MessageReadException e) {
            throw new IOException("could not read the message: " + e.getMessage(), e);
        }
        String path = as == LearnAs.SPAM ? "/learnspam" : "/learnham";
        Map<String, List<String>> headers = RspamdClient.recipient(Optional.ofNullable(user))
            .map(address -> Map.of("Deliver-To", List.of(address)))
            .orElse(Map.of());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            RspamdHttp.Reply reply;
            try {
                reply = links.get(i).post(path, headers, message);
            } catch (IOException e) {
                failures.add(controllers.get(i) + " (" + e.getMessage() + ")");
                continue;
            }
            return outcome(reply, controllers.get(i), as);
        }
        throw new IOException("no rspamd controller could be told: " + String.join(", ", failures));
    }

    /**
     * 200 with {@code success}: learned. Already learned: 208 ("has been already learned as spam, ignore it": the
     * same tokens were learned before, whatever the Message-ID), or 204 ("all learn conditions denied learning
     * spam": rspamd's learn condition declined because its Bayes already puts the message in that class, at 95 %
     * or more). Anything else is a refusal, other 204s included (rspamd says why in the status line, e.g. "contains
     * less tokens than required for bayes classifier").
     */
    static LearnOutcome outcome(RspamdHttp.Reply reply, Endpoint controller, LearnAs as) throws IOException {
        String body = new String(reply.body(), StandardCharsets.UTF_8).strip();
        if (reply.status() == 200 && body.matches("\\{\\s*\"success\"\\s*:\\s*true\\s*}")) {
            return LearnOutcome.LEARNED;
        }
        boolean conditionsDenied = reply.status() == 204 && reply.reason().startsWith("all learn conditions denied");
        if (reply.status() == 208 || conditionsDenied || (reply.status() >= 400 && body.contains("already learned"))) {
            return LearnOutcome.ALREADY_LEARNED;
        }
        throw new IOException("rspamd at " + controller + " refused to learn " + as.name().toLowerCase(java.util.Locale.ROOT)
            + ": HTTP " + reply.status() + (reply.reason().isEmpty() ? "" : " " + Printable.of(reply.reason())) + " '" + Printable.of(body) + "'");
    }
}
