package dev.bulwark.scanner.rspamd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.wire.BadReplyException;

/**
 * HTTP/1.1 to one rspamd port through the JDK's {@link HttpClient}, which keeps its connections alive when
 * rspamd allows it (nothing is pooled by hand). Every exchange has one deadline, connect to the last byte of the
 * reply: a passed deadline is a {@link SocketTimeoutException}, a dead connection another {@link IOException},
 * a reply over {@value #MAX_REPLY} bytes a {@link BadReplyException}.
 */
final class RspamdHttp {
    static final int MAX_REPLY = 1024 * 1024;

    record Reply(int status, byte[] body) {
    }

    private final Endpoint endpoint;
    private final Duration timeout;
    private final HttpClient http;

    RspamdHttp(Endpoint endpoint, Duration connectTimeout, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();
    }

    Duration timeout() {
        return timeout;
    }

    Reply get(String path) throws IOException {
        return send(request(path).GET().build());
    }

    /** @param headers rspamd's request headers ({@code Deliver-To}, {@code Rcpt}...), each with its values */
    Reply post(String path, Map<String, List<String>> headers, byte[] body) throws IOException {
        HttpRequest.Builder builder = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, values) -> values.forEach(value -> builder.header(name, value)));
        return send(builder.build());
    }

    private HttpRequest.Builder request(String path) {
        try {
            return HttpRequest.newBuilder(new URI("http", null, endpoint.host(), endpoint.port(), path, null, null)).timeout(timeout);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no URL for rspamd at " + endpoint + path, e);
        }
    }

    private Reply send(HttpRequest request) throws IOException {
        CompletableFuture<HttpResponse<byte[]>> reply = http.sendAsync(request, info -> new LimitedBody(MAX_REPLY));
        try {
            HttpResponse<byte[]> response = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Reply(response.statusCode(), response.body());
        } catch (TimeoutException e) {
            reply.cancel(true);
            throw new SocketTimeoutException("rspamd at " + endpoint + " did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            reply.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for rspamd at " + endpoint);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new SocketTimeoutException("rspamd at " + endpoint + " did not answer within " + timeout.toMillis() + " ms");
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(cause), cause);
        }
    }

    /** Collects the body up to a limit; one byte more cancels the exchange as a bad reply. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int limit;
        private Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new BadReplyException("rspamd's reply is over " + limit + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
