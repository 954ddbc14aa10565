package dev.bulwark.matchers.attachments;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.Part;
import javax.mail.internet.ContentDisposition;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimePart;
import javax.mail.internet.MimeUtility;
import javax.mail.internet.ParseException;

/**
 * A MIME part's {@code Content-*} headers read two ways: strictly (as javax.mail reads them, which is
 * what the attachment check walks) and leniently (as forgiving parsers such as James's mime4j and mail
 * clients read them). Where the two can differ, the part is an {@link #anomaly() anomaly}: the check
 * cannot know which parts and names a client will show. Every name either reading gives is a
 * {@link #names() name} of the part.
 */
final class PartHeaders {
    private static final Set<String> SINGLE = Set.of("content-type", "content-disposition", "content-transfer-encoding");
    private static final Set<String> IDENTITY_ENCODINGS = Set.of("7bit", "8bit", "binary");

    private final List<String> lines;
    private final Map<String, List<String>> values;

    private PartHeaders(List<String> lines) {
        this.lines = lines;
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                byName.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).replaceAll("\r?\n", "").trim());
            }
        }
        this.values = byName;
    }

    static PartHeaders of(Part part) throws MessagingException {
        List<String> lines = new ArrayList<>();
        if (part instanceof MimePart mime) {
            lines.addAll(Collections.list(mime.getAllHeaderLines()));
        } else {
            for (Enumeration<Header> all = part.getAllHeaders(); all.hasMoreElements(); ) {
                Header header = all.nextElement();
                lines.add(header.getName() + ": " + header.getValue());
            }
        }
        return new PartHeaders(lines);
    }

    Optional<String> contentType() {
        return first("content-type");
    }

    /** The base type (lower case) as lenient parsers read it; {@code fallback} when there is no Content-Type. */
    String baseType(String fallback) {
        return contentType().map(value -> {
            String type = value.split(";", 2)[0].replaceAll("\\(.*?\\)", "").trim().toLowerCase(Locale.ROOT);
            return type.isEmpty() ? fallback : type;
        }).orElse(fallback);
    }

    /** Content-Disposition says attachment (or anything but inline). */
    boolean dispositionAttachment() {
        return first("content-disposition").map(value -> value.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
            .filter(disposition -> !disposition.isEmpty() && !disposition.equals("inline")).isPresent();
    }

    boolean hasDisposition() {
        return first("content-disposition").isPresent();
    }

    Optional<String> transferEncoding() {
        return first("content-transfer-encoding").map(value -> value.toLowerCase(Locale.ROOT));
    }

    /** Why parsers may read this part differently; empty when they read it alike. */
    Optional<String> anomaly() {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.substring(0, colon).equals(line.substring(0, colon).strip())
                && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).startsWith("content-")) {
                return Optional.of("header '" + line.substring(0, colon + 1) + "' with space around its name");
            }
        }
        for (String name : SINGLE) {
            int count = values.getOrDefault(name, List.of()).size();
            if (count > 1) {
                return Optional.of(count + " " + display(name) + " headers (parsers pick different ones)");
            }
        }
        Optional<String> type = contentType();
        if (type.isPresent()) {
            try {
                new ContentType(type.get());
            } catch (ParseException | RuntimeException e) {
                return Optional.of("Content-Type cannot be parsed (" + e.getMessage() + ")");
            }
            Optional<String> twice = repeated(type.get());
            if (twice.isPresent()) {
                return Optional.of("Content-Type parameter '" + twice.get() + "' given twice");
            }
            if (baseType("").startsWith("multipart/")) {
                Optional<String> boundary = parameters(type.get()).entrySet().stream()
                    .filter(e -> e.getKey().equals("boundary")).map(e -> e.getValue().get(0)).findFirst();
                if (boundary.isEmpty()) {
                    return Optional.of("multipart without a boundary");
                }
                if (boundary.get().isEmpty() || boundary.get().endsWith(" ") || boundary.get().length() > 200
                    || boundary.get().chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '"')) {
                    return Optional.of("multipart boundary '" + boundary.get() + "' is not valid");
                }
                Optional<String> encoding = transferEncoding();
                if (encoding.isPresent() && !IDENTITY_ENCODINGS.contains(encoding.get())) {
                    return Optional.of("multipart with Content-Transfer-Encoding " + encoding.get() + " (parsers disagree on it)");
                }
            }
        }
        Optional<String> disposition = first("content-disposition");
        if (disposition.isPresent()) {
            try {
                new ContentDisposition(disposition.get());
            } catch (ParseException | RuntimeException e) {
                return Optional.of("Content-Disposition cannot be parsed (" + e.getMessage() + ")");
            }
            Optional<String> twice = repeated(disposition.get());
            if (twice.isPresent()) {
                return Optional.of("Content-Disposition parameter '" + twice.get() + "' given twice");
            }
        }
        return Optional.empty();
    }

    /**
     * Every name a reader may give the part: the Content-Disposition file name and the Content-Type name,
     * plain, RFC 2231 encoded or continued, in encoded words, and both readings of an unterminated quote.
     */
    Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        first("content-disposition").ifPresent(value -> names.addAll(named(parameters(value), "filename")));
        contentType().ifPresent(value -> names.addAll(named(parameters(value), "name")));
        Set<String> decoded = new LinkedHashSet<>();
        for (String name : names) {
            try {
                decoded.add(MimeUtility.decodeText(name));
            } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
                // an unknown charset: the raw name is checked
            }
            decoded.add(name);
        }
        decoded.removeIf(String::isBlank);
        return decoded;
    }

    private static Set<String> named(Map<String, List<String>> parameters, String key) {
        Set<String> names = new LinkedHashSet<>(parameters.getOrDefault(key, List.of()));
        names.addAll(parameters.getOrDefault(key + " (unterminated)", List.of()));
        parameters.getOrDefault(key + "*", List.of()).forEach(value -> names.add(rfc2231(value)));
        // continuations: key*0, key*1*, ... joined in order, each piece decoded when it ends with *
        Map<Integer, String> pieces = new TreeMap<>();
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            if (name.matches(java.util.regex.Pattern.quote(key) + "\\*\\d{1,3}\\*?")) {
                boolean encoded = name.endsWith("*");
                int index = Integer.parseInt(name.substring(key.length() + 1, name.length() - (encoded ? 1 : 0)));
                String value = parameter.getValue().get(0);
                pieces.put(index, encoded ? (index == 0 ? rfc2231(value) : percent(value, StandardCharsets.UTF_8)) : value);
            }
        }
        if (!pieces.isEmpty()) {
            names.add(String.join("", pieces.values()));
        }
        return names;
    }

    /** {@code charset'language'percent-encoded}; unknown charsets read as UTF-8. */
    private static String rfc2231(String value) {
        String[] parts = value.split("'", 3);
        if (parts.length < 3) {
            return percent(value, StandardCharsets.UTF_8);
        }
        Charset charset;
        try {
            charset = Charset.forName(parts[0].isBlank() ? "UTF-8" : parts[0].trim());
        } catch (RuntimeException e) {
            charset = StandardCharsets.UTF_8;
        }
        return percent(parts[2], charset);
    }

    private static String percent(String value, Charset charset) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()
                && Character.digit(value.charAt(i + 1), 16) >= 0 && Character.digit(value.charAt(i + 2), 16) >= 0) {
                out.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(charset);
    }

    /** A parameter name given twice (parsers keep the first, the last, or both). */
    private static Optional<String> repeated(String value) {
        return parameters(value).entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).findFirst();
    }

    /**
     * The parameters as a forgiving reader takes them: {@code name=value} pieces between semicolons,
     * quotes honoured; an unterminated quote gives both the rest of the header and the text up to the
     * next semicolon. Names lower case; every value a name was given, in order.
     */
    static Map<String, List<String>> parameters(String header) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        int i = header.indexOf(';');
        if (i < 0) {
            return parameters;
        }
        int n = header.length();
        while (i < n) {
            while (i < n && (header.charAt(i) == ';' || Character.isWhitespace(header.charAt(i)))) {
                i++;
            }
            int nameStart = i;
            while (i < n && header.charAt(i) != '=' && header.charAt(i) != ';') {
                i++;
            }
            String name = header.substring(nameStart, i).trim().toLowerCase(Locale.ROOT);
            if (i >= n || header.charAt(i) == ';') {
                continue;
            }
            i++; // '='
            while (i < n && Character.isWhitespace(header.charAt(i))) {
                i++;
            }
            List<String> values = new ArrayList<>();
            if (i < n && header.charAt(i) == '"') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                for (; j < n; j++) {
                    char c = header.charAt(j);
                    if (c == '\\' && j + 1 < n) {
                        value.append(header.charAt(++j));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                values.add(value.toString());
                if (!closed) {
                    int semicolon = header.indexOf(';', i);
                    values.add(header.substring(i + 1, semicolon < 0 ? n : semicolon).trim());
                }
                i = j + 1;
            } else {
                int end = header.indexOf(';', i);
                end = end < 0 ? n : end;
                values.add(header.substring(i, end).trim());
                i = end;
            }
            if (!name.isEmpty()) {
                List<String> existing = parameters.computeIfAbsent(name, k -> new ArrayList<>());
                existing.add(values.get(0));
                // the second reading of an unterminated quote is a name candidate, not a repetition
                values.stream().skip(1).forEach(v -> parameters.computeIfAbsent(name + " (unterminated)", k -> new ArrayList<>()).add(v));
            }
        }
        return parameters;
    }

    private Optional<String> first(String name) {
        List<String> all = values.get(name);
        return all == null || all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static String display(String name) {
        return switch (name) {
            case "content-type" -> "Content-Type";
            case "content-disposition" -> "Content-Disposition";
            default -> "Content-Transfer-Encoding";
        };
    }
}
