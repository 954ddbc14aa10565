package dev.bulwark.mailets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.security.LogText;

/**
 * The first mailet at ingress: removes (or renames) verdict headers that arrived with the mail, so
 * that nothing downstream (Sieve scripts, mail clients, other filters) trusts a verdict Bulwark did
 * not give in this James. Bulwark's own matchers never read headers, only mail attributes.
 * <ul>
 *   <li>{@code headers}: comma-separated names; a trailing {@code *} matches a prefix. Default:
 *       {@code X-Spam-*, X-Bulwark-*, X-Virus-Scanned, X-Virus-Status, X-MessageIsInfected}.</li>
 *   <li>{@code renameTo}: a prefix; when set, headers are kept renamed (e.g. {@code X-Untrusted-})
 *       instead of removed, for forensics.</li>
 * </ul>
 * Mail without such headers is not touched (its bytes stay as received).
 */
public class StripVerdictHeaders extends GenericMailet {
    static final List<String> DEFAULT_HEADERS = List.of("X-Spam-*", "X-Bulwark-*", "X-Virus-Scanned", "X-Virus-Status", "X-MessageIsInfected");
    private static final Logger LOGGER = LoggerFactory.getLogger(StripVerdictHeaders.class);
    private static final String HEADERS = "headers";
    private static final String RENAME_TO = "renameTo";

    private List<String> patterns;
    private java.util.Optional<String> renameTo;

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, Set.of(HEADERS, RENAME_TO));
        patterns = Parameters.text(this, HEADERS)
            .map(value -> java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList())
            .orElse(DEFAULT_HEADERS);
        for (String pattern : patterns) {
            if (!pattern.matches("[A-Za-z0-9-]+\\*?")) {
                throw new MessagingException("mailetcontainer.xml: mailet " + getMailetName() + ": parameter 'headers' has '" + pattern
                    + "', expected header names, a trailing * for a prefix, comma separated");
            }
        }
        renameTo = Parameters.text(this, RENAME_TO);
        if (renameTo.isPresent() && !renameTo.get().matches("[A-Za-z0-9-]+")) {
            throw new MessagingException("mailetcontainer.xml: mailet " + getMailetName() + ": parameter 'renameTo' is '" + renameTo.get()
                + "', expected a header name prefix such as X-Untrusted-");
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        List<Header> found = new ArrayList<>();
        for (Header header : Collections.list(message.getAllHeaders())) {
            if (matches(header.getName())) {
                found.add(header);
            }
        }
        if (found.isEmpty()) {
            return;
        }
        for (String name : found.stream().map(Header::getName).distinct().toList()) {
            message.removeHeader(name);
        }
        renameTo.ifPresent(prefix -> found.forEach(header -> {
            try {
                message.addHeader(prefix + header.getName(), header.getValue());
            } catch (MessagingException e) {
                LOGGER.debug("Could not keep {} renamed: {}", LogText.of(header.getName()), LogText.of(e.getMessage()));
            }
        }));
        // Headers only: no saveChanges(), which parses a multipart body and keeps it with the mail; James saves
        // the header change itself when it writes the message.
        LOGGER.info("Mail {} arrived with verdict headers not set by this James, {}: {}", mail.getName(),
            renameTo.map(prefix -> "renamed with " + prefix).orElse("removed"), LogText.of(found.stream().map(Header::getName).distinct().toList()));
    }

    private boolean matches(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return patterns.stream().map(p -> p.toLowerCase(Locale.ROOT))
            .anyMatch(p -> p.endsWith("*") ? lower.startsWith(p.substring(0, p.length() - 1)) : lower.equals(p));
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark StripVerdictHeaders";
    }
}
