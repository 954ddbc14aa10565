package dev.bulwark.matchers.attachments;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.dom.field.ParsedField;
import org.apache.james.mime4j.field.LenientFieldParser;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * A message's parts as James itself reads them: Apache mime4j with the permissive configuration James's
 * mailbox uses to store mail and answer IMAP BODYSTRUCTURE, so what IMAP clients list as attachments.
 * Only the structure and the names are read; bodies are skipped, never decoded.
 */
final class Mime4jView {
    /** A part that is not a container (multipart, attached message): its type and names. */
    record Leaf(String type, Set<String> names) {
    }

    private Mime4jView() {
    }

    static List<Leaf> leaves(InputStream message) throws IOException, MimeException {
        Collector collector = new Collector();
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.PERMISSIVE);
        parser.setContentDecoding(false);
        parser.setRecurse();
        parser.setContentHandler(collector);
        parser.parse(message);
        return collector.leaves;
    }

    private static final class Collector extends AbstractContentHandler {
        private final List<Leaf> leaves = new ArrayList<>();
        private final Deque<Set<String>> names = new ArrayDeque<>();

        @Override
        public void startHeader() {
            names.push(new LinkedHashSet<>());
        }

        @Override
        public void field(Field raw) {
            if (names.isEmpty()) {
                return;
            }
            String name = raw.getName().toLowerCase(Locale.ROOT);
            if (!name.equals("content-type") && !name.equals("content-disposition")) {
                return;
            }
            ParsedField parsed = LenientFieldParser.getParser().parse(raw, DecodeMonitor.SILENT);
            if (parsed instanceof ContentTypeField type) {
                add(type.getParameter("name"));
            } else if (parsed instanceof ContentDispositionField disposition) {
                add(disposition.getFilename());
                add(disposition.getParameter("filename"));
            }
        }

        private void add(String name) {
            if (name != null && !name.isBlank()) {
                names.peek().add(name);
                try {
                    names.peek().add(DecoderUtil.decodeEncodedWords(name, DecodeMonitor.SILENT));
                } catch (IllegalArgumentException e) {
                    // the raw name is kept
                }
            }
        }

        @Override
        public void body(BodyDescriptor descriptor, InputStream content) {
            leaves.add(new Leaf(descriptor.getMimeType().toLowerCase(Locale.ROOT), names.isEmpty() ? Set.of() : Set.copyOf(names.peek())));
        }

        @Override
        public void endBodyPart() {
            pop();
        }

        @Override
        public void endMessage() {
            pop();
        }

        private void pop() {
            if (!names.isEmpty()) {
                names.pop();
            }
        }
    }
}
