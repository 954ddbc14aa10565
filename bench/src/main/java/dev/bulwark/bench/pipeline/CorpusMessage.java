package dev.bulwark.bench.pipeline;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One message of the corpus, its envelope recipients (the tracked one last) and, for a campaign send, which
 * campaign (else -1). {@code tail} is everything after the two headers that make each sending unique
 * (Subject and Message-ID carry a token the outcome tracker finds the message by): the other headers, the
 * blank line and the body, CRLF line ends, no line starting with a dot (so no dot-stuffing is needed).
 */
record CorpusMessage(int index, MessageKind kind, java.util.List<String> recipients, int campaign, byte[] tail) {
    /** The bytes as sent for {@code token}: unique Subject and Message-ID, then the tail. */
    byte[] withToken(String token) {
        byte[] head = ("Subject: " + token + " " + kind.name().toLowerCase(java.util.Locale.ROOT) + " message\r\n"
            + "Message-ID: <" + token + "@bench.bulwark.test>\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + tail.length);
        out.writeBytes(head);
        out.writeBytes(tail);
        return out.toByteArray();
    }

    String bucket() {
        return Corpus.bucket(recipients.size());
    }

    int size() {
        return tail.length;
    }
}
