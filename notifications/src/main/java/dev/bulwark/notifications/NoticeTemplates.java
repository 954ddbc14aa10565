package dev.bulwark.notifications;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;

/**
 * The notice templates of a set of languages, compiled once. Bulwark's own ship in the jar
 * ({@code dev/bulwark/notifications/templates/<language>/<kind>.mustache}); a file with the same
 * relative name under the override folder replaces one. A template's first line is
 * {@code Subject: ...}, then a blank line, then the body. Values are inserted as plain text (the
 * notices are text/plain, nothing is HTML-escaped), each on one line and capped ({@link NoticeText}), and
 * the subject is kept to one line.
 */
public final class NoticeTemplates {
    private static final String RESOURCES = "dev/bulwark/notifications/templates/";

    private final Map<String, Mustache> templates = new HashMap<>();

    /**
     * @throws IllegalArgumentException naming the file and line of a template that does not compile,
     *                                  or a language without templates
     */
    public NoticeTemplates(Set<String> languages, Optional<Path> overrides) {
        for (String language : languages) {
            for (NoticeKind kind : NoticeKind.values()) {
                String name = language + "/" + kind.asString() + ".mustache";
                templates.put(name, compile(name, source(name, overrides)));
            }
        }
    }

    public Notice render(String language, NoticeKind kind, Map<String, Object> values) {
        Mustache template = templates.get(language + "/" + kind.asString() + ".mustache");
        if (template == null) {
            throw new IllegalArgumentException("no " + kind.asString() + " template for language " + language);
        }
        // every value on one line and capped, whatever the template: a value never adds lines to a notice
        Map<String, Object> safe = new HashMap<>();
        values.forEach((key, value) -> safe.put(key, value instanceof String text ? NoticeText.oneLine(text) : value));
        StringWriter out = new StringWriter();
        template.execute(out, safe);
        String text = out.toString().replace("\r\n", "\n");
        int end = text.indexOf('\n');
        String first = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 1).replaceFirst("^\n", "");
        String subject = first.startsWith("Subject:") ? first.substring("Subject:".length()).trim() : "Bulwark notice";
        return new Notice(subject.replaceAll("\\p{Cntrl}", " "), body.replace("\n", "\r\n"));
    }

    private static String source(String name, Optional<Path> overrides) {
        try {
            if (overrides.isPresent() && Files.isRegularFile(overrides.get().resolve(name))) {
                return Files.readString(overrides.get().resolve(name), StandardCharsets.UTF_8);
            }
            try (InputStream in = NoticeTemplates.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IllegalArgumentException("no template " + name + " (languages shipped: en, de; others need "
                        + "all three templates in the override folder)");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template " + name, e);
        }
    }

    private static Mustache compile(String name, String source) {
        try {
            return new PlainTextMustacheFactory().compile(new StringReader(source), name);
        } catch (MustacheException e) {
            // mustache.java says where: "... @[admin.mustache:3]"
            throw new IllegalArgumentException("template " + name + " does not compile: " + e.getMessage(), e);
        }
    }

    /** No HTML escaping: notices are plain text. */
    private static final class PlainTextMustacheFactory extends DefaultMustacheFactory {
        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Reader getReader(String resourceName) {
            throw new MustacheException("partials are not supported: " + resourceName);
        }
    }
}
