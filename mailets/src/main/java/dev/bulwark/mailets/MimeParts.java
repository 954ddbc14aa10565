package dev.bulwark.mailets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.message.DefaultBodyDescriptorBuilder;
import org.apache.james.mime4j.message.MaximalBodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * A small walker over a MIME message read as a stream (Apache mime4j, which James provides): its leaves
 * (the single parts, decoded, attached messages opened) and the rest (header fields, multipart
 * preambles and epilogues, as they are). It never holds a part in memory: each pass reads the message
 * again from its start, so a 28 MB message costs a few reads, not a few copies.
 */
final class MimeParts {
    /** Multiparts and attached messages nested deeper than this are not split (the mail is then unscannable). */
    static final int MAX_DEPTH = 32;
    /** Leaves scanned one by one at most; a big mail with more is not split. */
    static final int MAX_LEAVES = 500;
    /** One header field at most this long (mime4j holds a field whole). */
    static final int MAX_FIELD = 1024 * 1024;

    private MimeParts() {
    }

    /** Opens the raw message (header and body) from its start, as often as asked. */
    @FunctionalInterface
    interface RawMessage {
        InputStream open() throws IOException;
    }

    /** Why a message cannot be split into parts: broken beyond what the parser accepts, too deep, too many parts. */
    static final class UnsplittableException extends Exception {
        UnsplittableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * One leaf.
     *
     * @param index    its position among the leaves, from 1
     * @param fileName the file name its headers give, if any
     * @param size     its decoded size in bytes
     */
    record Leaf(int index, String contentType, Optional<String> fileName, long size) {
        /** For reasons and logs: {@code part 2 (application/octet-stream "big.bin", 27262976 bytes)}. */
        String describe() {
            return "part " + index + " (" + contentType + fileName.map(name -> " \"" + HeaderText.of(name.codePoints().limit(100)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString()) + "\"").orElse("")
                + ", " + size + " bytes)";
        }
    }

    /** The leaves of a message, and the size of the rest. */
    record Layout(List<Leaf> leaves, long restSize) {
        Layout {
            leaves = List.copyOf(leaves);
        }
    }

    /** Receives each leaf with its decoded content, in order; returns false to stop the walk. */
    @FunctionalInterface
    interface LeafVisitor {
        boolean visit(Leaf leaf, InputStream decoded) throws IOException;
    }

    /** Reads the message once and measures it. */
    static Layout measure(RawMessage raw) throws IOException, UnsplittableException {
        List<Leaf> leaves = new ArrayList<>();
        long[] rest = {0};
        walk(raw, new Handler() {
            @Override
            public void rest(InputStream content) throws IOException {
                rest[0] += content.transferTo(OutputStream.nullOutputStream());
            }

            @Override
            public boolean leaf(int index, MaximalBodyDescriptor descriptor, InputStream decoded) throws IOException {
                if (index > MAX_LEAVES) {
                    throw new TooComplex("it has more than " + MAX_LEAVES + " parts");
                }
                long size = decoded.transferTo(OutputStream.nullOutputStream());
                leaves.add(new Leaf(index, descriptor.getMimeType(), Optional.ofNullable(descriptor.getContentDispositionFilename())
                    .or(() -> Optional.ofNullable(descriptor.getContentTypeParameters().get("name"))).filter(name -> !name.isBlank()), size));
                return true;
            }
        });
        return new Layout(leaves, rest[0]);
    }

    /** Reads the message once and hands each leaf, decoded, to the visitor. */
    static void forEachLeaf(RawMessage raw, List<Leaf> leaves, LeafVisitor visitor) throws IOException, UnsplittableException {
        walk(raw, new Handler() {
            @Override
            public boolean leaf(int index, MaximalBodyDescriptor descriptor, InputStream decoded) throws IOException {
                if (index > leaves.size()) {
                    throw new IOException("the message has more parts than when it was measured");
                }
                return visitor.visit(leaves.get(index - 1), decoded);
            }
        });
    }

    /** Writes one leaf, decoded: a second try of its scan. */
    static void writeLeaf(RawMessage raw, int wanted, OutputStream out) throws IOException {
        boolean[] found = {false};
        walkOrFail(raw, new Handler() {
            @Override
            public boolean leaf(int index, MaximalBodyDescriptor descriptor, InputStream decoded) throws IOException {
                if (index < wanted) {
                    return true;
                }
                decoded.transferTo(out);
                found[0] = true;
                return false;
            }
        });
        if (!found[0]) {
            throw new IOException("the message has no part " + wanted);
        }
    }

    /** Writes everything that is not in a leaf: the header fields, and the preambles and epilogues of multiparts. */
    static void writeRest(RawMessage raw, OutputStream out) throws IOException {
        walkOrFail(raw, new Handler() {
            @Override
            public void rest(InputStream content) throws IOException {
                content.transferTo(out);
            }
        });
    }

    private interface Handler {
        /** Header fields (each with its line end), preambles, epilogues. */
        default void rest(InputStream content) throws IOException {
        }

        /** @return false to stop */
        default boolean leaf(int index, MaximalBodyDescriptor descriptor, InputStream decoded) throws IOException {
            return true;
        }
    }

    /** Thrown inside a walk when the message is too complex to split; reported as an UnsplittableException. */
    private static final class TooComplex extends IOException {
        TooComplex(String message) {
            super(message);
        }
    }

    private static void walkOrFail(RawMessage raw, Handler handler) throws IOException {
        try {
            walk(raw, handler);
        } catch (UnsplittableException e) {
            throw new IOException("cannot read the message's parts again: " + e.getMessage(), e);
        }
    }

    private static void walk(RawMessage raw, Handler handler) throws IOException, UnsplittableException {
        MimeConfig config = MimeConfig.custom()
            .setMaxLineLen(-1)
            .setMaxHeaderCount(10_000)
            .setMaxHeaderLen(MAX_FIELD)
            .setMaxContentLen(-1)
            .build();
        MimeTokenStream stream = new MimeTokenStream(config, DecodeMonitor.SILENT, new DefaultBodyDescriptorBuilder());
        stream.setRecursionMode(RecursionMode.M_RECURSE);
        try (InputStream in = raw.open()) {
            stream.parse(in);
            int depth = 0;
            int leaves = 0;
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                switch (state) {
                    case T_START_MULTIPART, T_START_MESSAGE -> {
                        depth++;
                        if (depth > MAX_DEPTH) {
                            throw new TooComplex("its parts are nested more than " + MAX_DEPTH + " deep");
                        }
                    }
                    case T_END_MULTIPART, T_END_MESSAGE -> depth--;
                    case T_FIELD -> {
                        byte[] field = stream.getField().getRaw().toByteArray();
                        handler.rest(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(field),
                            new java.io.ByteArrayInputStream(new byte[] {'\r', '\n'})));
                    }
                    case T_PREAMBLE, T_EPILOGUE -> handler.rest(stream.getInputStream());
                    case T_BODY -> {
                        leaves++;
                        if (!handler.leaf(leaves, (MaximalBodyDescriptor) stream.getBodyDescriptor(), stream.getDecodedInputStream())) {
                            return;
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (TooComplex e) {
            throw new UnsplittableException(e.getMessage(), e);
        } catch (MimeException e) {
            throw new UnsplittableException("its MIME structure cannot be read: " + e.getMessage(), e);
        }
    }
}
