package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The least a client can do to have rspamd judge a message: {@code POST /checkv2} with the message as the body,
 * on a kept-alive HTTP/1.1 connection (one {@link HttpClient} per load-generator client), the JSON reply's
 * {@code action} read. Spam as Bulwark reads it: {@code reject}, {@code add header} or {@code rewrite subject}.
 */
final class RawRspamdCheck {
    private static final Pattern ACTION = Pattern.compile("\"action\"\\s*:\\s*\"([^\"]*)\"");
    private static final Set<String> SPAM = Set.of("reject", "add header", "rewrite subject");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).proxy(HttpClient.Builder.NO_PROXY).build();
    private final URI check;

    RawRspamdCheck(String host, int port) {
        this.check = URI.create("http://" + host + ":" + port + "/checkv2");
    }

    /** True when rspamd's action says spam; an IOException when it gives no verdict. */
    boolean isSpam(byte[] message) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(check).timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofByteArray(message)).build();
        HttpResponse<String> reply;
        try {
            reply = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Matcher action = ACTION.matcher(reply.body());
        if (reply.statusCode() != 200 || !action.find()) {
            throw new IOException("rspamd answered " + reply.statusCode() + " '" + reply.body().strip() + "'");
        }
        return SPAM.contains(action.group(1));
    }
}
