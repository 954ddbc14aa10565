package dev.bulwark.scanner.clamd;

import java.util.List;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.wire.Printable;

/**
 * Strict parsing of clamd INSTREAM replies: only the exact shapes clamd sends become CLEAN, INFECTED,
 * SUSPICIOUS or UNSCANNABLE; anything else is ERROR, never CLEAN and never INFECTED.
 */
final class ClamdReplies {
    private static final String STREAM_PREFIX = "stream: ";
    private static final String FOUND_SUFFIX = " FOUND";
    private static final String SIZE_LIMIT = "INSTREAM size limit exceeded. ERROR";

    private ClamdReplies() {
    }

    static ScanVerdict parseScanReply(String reply, Endpoint endpoint) {
        if (reply.equals(SIZE_LIMIT)) {
            return ScanVerdict.unscannable("message exceeds clamd's StreamMaxLength", endpoint);
        }
        if (!reply.startsWith(STREAM_PREFIX)) {
            return ScanVerdict.error("unexpected clamd reply: " + Printable.of(reply), endpoint);
        }
        String body = reply.substring(STREAM_PREFIX.length());
        if (body.equals("OK")) {
            return ScanVerdict.clean(endpoint);
        }
        if (body.endsWith(FOUND_SUFFIX)) {
            String name = body.substring(0, body.length() - FOUND_SUFFIX.length());
            if (name.isBlank() || !name.equals(name.trim()) || name.codePoints().anyMatch(Printable::isUnprintable)) {
                return ScanVerdict.error("unexpected clamd reply: " + Printable.of(reply), endpoint);
            }
            // Heuristic hits and archive-limit hits are not named viruses: policy may treat them differently.
            if (name.startsWith("Heuristics.") || name.equals("(null)")) {
                return ScanVerdict.suspicious(List.of(name), endpoint);
            }
            return ScanVerdict.infected(List.of(name), endpoint);
        }
        return ScanVerdict.error("clamd: " + Printable.of(body), endpoint);
    }
}
