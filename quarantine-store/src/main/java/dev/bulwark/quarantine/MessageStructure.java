package dev.bulwark.quarantine;

import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import javax.mail.BodyPart;
import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

/**
 * The headers and MIME tree of a message, for an admin to inspect without any content being rendered:
 * content types, file names and sizes, never bodies. Bounded (depth, parts, header count) so that a
 * hostile message cannot make the answer huge; parts that cannot be parsed say so in {@code problem}.
 */
public record MessageStructure(List<HeaderField> headers, PartNode root, boolean truncated) {
    public static final int MAX_DEPTH = 32;
    public static final int MAX_PARTS = 1000;
    public static final int MAX_HEADERS = 500;
    private static final int MAX_VALUE_LENGTH = 4096;

    public record HeaderField(String name, String value) {
    }

    public record PartNode(String contentType, Optional<String> disposition, Optional<String> fileName,
                           Optional<String> transferEncoding, int size, List<PartNode> parts, Optional<String> problem) {
    }

    public static MessageStructure of(MimeMessage message) {
        Counter counter = new Counter();
        List<HeaderField> headers = new ArrayList<>();
        try {
            for (Header header : Collections.list(message.getAllHeaders())) {
                if (headers.size() == MAX_HEADERS) {
                    counter.truncated = true;
                    break;
                }
                headers.add(new HeaderField(header.getName(), shorten(decoded(header.getValue()))));
            }
        } catch (MessagingException e) {
            counter.truncated = true;
        }
        PartNode root = node(message, 0, counter);
        return new MessageStructure(headers, root, counter.truncated);
    }

    /** RFC 2047 decoding when possible, the raw text otherwise; unfolded. */
    static String decoded(String value) {
        String unfolded = value.replaceAll("\r?\n[ \t]", " ");
        try {
            return MimeUtility.decodeText(unfolded);
        } catch (UnsupportedEncodingException | RuntimeException e) {
            return unfolded;
        }
    }

    private static PartNode node(Part part, int depth, Counter counter) {
        counter.parts++;
        String contentType = "application/octet-stream";
        Optional<String> disposition = Optional.empty();
        Optional<String> fileName = Optional.empty();
        Optional<String> encoding = Optional.empty();
        int size = -1;
        try {
            contentType = shorten(Optional.ofNullable(part.getContentType()).map(MessageStructure::decoded).orElse("text/plain"));
            disposition = Optional.ofNullable(part.getDisposition());
            fileName = fileName(part);
            encoding = part instanceof javax.mail.internet.MimePart mime ? Optional.ofNullable(mime.getEncoding()) : Optional.empty();
            size = part.getSize();
            List<PartNode> children = new ArrayList<>();
            if (part.isMimeType("multipart/*") || part.isMimeType("message/rfc822")) {
                if (depth >= MAX_DEPTH) {
                    counter.truncated = true;
                    return new PartNode(contentType, disposition, fileName, encoding, size, List.of(), Optional.of("nested deeper than " + MAX_DEPTH + " levels; not expanded"));
                }
                Object content = part.getContent();
                if (content instanceof Multipart multipart) {
                    for (int i = 0; i < multipart.getCount(); i++) {
                        if (counter.parts >= MAX_PARTS) {
                            counter.truncated = true;
                            break;
                        }
                        BodyPart child = multipart.getBodyPart(i);
                        children.add(node(child, depth + 1, counter));
                    }
                } else if (content instanceof Part nested) {
                    children.add(node(nested, depth + 1, counter));
                }
            }
            return new PartNode(contentType, disposition, fileName, encoding, size, children, Optional.empty());
        } catch (MessagingException | IOException | RuntimeException e) {
            return new PartNode(contentType, disposition, fileName, encoding, size, List.of(),
                Optional.of("cannot be parsed: " + shorten(String.valueOf(e.getMessage()))));
        }
    }

    private static Optional<String> fileName(Part part) {
        try {
            return Optional.ofNullable(part.getFileName()).map(MessageStructure::decoded).map(MessageStructure::shorten);
        } catch (MessagingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String shorten(String value) {
        return value.length() > MAX_VALUE_LENGTH ? value.substring(0, MAX_VALUE_LENGTH) + "..." : value;
    }

    private static final class Counter {
        int parts;
        boolean truncated;
    }
}
