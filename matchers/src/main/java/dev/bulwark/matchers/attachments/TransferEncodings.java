package dev.bulwark.matchers.attachments;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.Part;
import javax.mail.internet.MimeBodyPart;

/**
 * Bodies whose transfer encoding decoders read differently. In base64, javax.mail skips what is not of
 * the alphabet and stops at padding, while other decoders stop at the first stray character or go on
 * after the padding: the check and a mail client would then see different bytes.
 */
final class TransferEncodings {
    private TransferEncodings() {
    }

    static Optional<String> anomaly(Part part, PartHeaders headers) throws MessagingException, IOException {
        if (!headers.transferEncoding().filter("base64"::equals).isPresent() || !(part instanceof MimeBodyPart body)) {
            return Optional.empty();
        }
        try (InputStream raw = body.getRawInputStream()) {
            byte[] buffer = new byte[8192];
            boolean padded = false;
            long offset = 0;
            int n;
            while ((n = raw.read(buffer)) > 0) {
                for (int i = 0; i < n; i++, offset++) {
                    int c = buffer[i] & 0xff;
                    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
                        continue;
                    }
                    if (c == '=') {
                        padded = true;
                    } else if (!isBase64(c)) {
                        return Optional.of("base64 with a character outside its alphabet at byte " + offset + " (decoders disagree on it)");
                    } else if (padded) {
                        return Optional.of("base64 data after its padding at byte " + offset + " (decoders disagree on it)");
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isBase64(int c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
    }
}
