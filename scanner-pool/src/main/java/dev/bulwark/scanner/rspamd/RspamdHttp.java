package dev.bulwark.scanner.rspamd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.wire.BadReplyException;
import dev.bulwark.scanner.wire.DaemonConnection;
import dev.bulwark.scanner.wire.Printable;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * One HTTP exchange with an rspamd port over a {@link DaemonConnection}: the request as HTTP/1.0 with
 * {@code Connection: close} and a {@code Content-Length}, the reply read to its end. rspamd 3.4 closes the
 * connection after every reply anyway, so keep-alive would save nothing; and a client of its own reads replies
 * the JDK's HTTP client refuses, such as the controller's {@code 204} with a {@code Content-Length}. One deadline
 * covers the exchange, connect to the last byte: a passed one is a {@link java.net.SocketTimeoutException}, a dead
 * connection another {@link IOException}, a reply that is not HTTP or over its size limit ({@value #DEFAULT_MAX_REPLY}
 * bytes unless the request says otherwise) a {@link BadReplyException}.
 */
final class RspamdHttp {
    /** For replies that do not grow with the message sent: {@code /ping}, the controller's learning. */
    static final int DEFAULT_MAX_REPLY = 1024 * 1024;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})(?: (.*))?");

    /** @param reason the status line's reason phrase (rspamd says why there), empty when none */
    record Reply(int status, String reason, byte[] body) {
    }

    private final Endpoint endpoint;
    private final ScannerTimeouts timeouts;

    RspamdHttp(Endpoint endpoint, Duration connectTimeout, Duration timeout) {
        this.endpoint = endpoint;
        this.timeouts = new ScannerTimeouts(connectTimeout, timeout);
    }

    Duration timeout() {
        return timeouts.read();
    }

    Reply get(String path) throws IOException {
        return exchange("GET", path, Map.of(), null, DEFAULT_MAX_REPLY);
    }

    /** @param headers rspamd's request headers ({@code Deliver-To}, {@code Rcpt}...), each with its values */
    Reply post(String path, Map<String, List<String>> headers, byte[] body) throws IOException {
        return post(path, headers, body, DEFAULT_MAX_REPLY);
    }

    /** @param maxReply the largest reply read, in bytes, headers included */
    Reply post(String path, Map<String, List<String>> headers, byte[] body, int maxReply) throws IOException {
        return exchange("POST", path, headers, body, maxReply);
    }

    private Reply exchange(String method, String path, Map<String, List<String>> headers, byte[] body, int maxReply) throws IOException {
        Instant deadline = Instant.now().plus(timeouts.read());
        try (DaemonConnection connection = DaemonConnection.open(endpoint, timeouts)) {
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.0\r\n")
                .append("Host: ").append(endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host())
                .append(':').append(endpoint.port()).append("\r\n")
                .append("Connection: close\r\n");
            headers.forEach((name, values) -> values.forEach(value -> head.append(name).append(": ").append(value).append("\r\n")));
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = connection.output();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            String reply;
            try {
                reply = connection.readAll(maxReply, deadline);
            } catch (BadReplyException e) {
                throw new BadReplyException("rspamd's reply is over " + maxReply + " bytes");
            }
            return parse(reply);
        }
    }

    /**
     * Status line, headers and body of a reply read to the end of the connection; anything else is a bad reply. A
     * body shorter than its {@code Content-Length} was cut short; a 204 or 304 has no body, whatever its headers say
     * (rspamd's controller sends a {@code Content-Length} with its 204).
     */
    static Reply parse(String reply) throws BadReplyException {
        int end = reply.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new BadReplyException("rspamd's reply is not HTTP (no end of headers): '" + Printable.of(reply) + "'");
        }
        String[] lines = reply.substring(0, end).split("\r\n");
        Matcher statusLine = STATUS_LINE.matcher(lines[0]);
        if (!statusLine.matches()) {
            throw new BadReplyException("rspamd's reply is not HTTP (status line '" + Printable.of(lines[0]) + "')");
        }
        int status = Integer.parseInt(statusLine.group(1));
        String reason = statusLine.group(2) == null ? "" : statusLine.group(2).strip();
        if (status == 204 || status == 304) {
            return new Reply(status, reason, new byte[0]);
        }
        byte[] body = reply.substring(end + 4).getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                long declared;
                try {
                    declared = Long.parseLong(lines[i].substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new BadReplyException("rspamd's reply is not HTTP (" + Printable.of(lines[i]) + ")");
                }
                if (declared < 0 || body.length < declared) {
                    throw new BadReplyException("rspamd's reply is cut short: " + body.length + " of " + declared + " bytes");
                }
                body = java.util.Arrays.copyOf(body, (int) declared);
            }
        }
        return new Reply(status, reason, body);
    }
}
