package dev.bulwark.mailets;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.security.LogText;

/**
 * The "disinfect" action: scans each attachment on its own, removes those that are infected or
 * suspicious (and, with {@code bannedExtensions}, those with a banned file name extension), adds a short
 * text part saying what was removed and why, and keeps the rest of the MIME structure as it was.
 *
 * <p>The cleaned message is then scanned whole again: only when that comes back CLEAN does
 * {@code bulwark.virus.status} become CLEAN (with {@code X-Bulwark-Virus: cleaned: ...}); a virus outside
 * any attachment, or a failed rescan, leaves the verdict as it was, for the quarantine to take.
 */
public class StripInfectedParts extends GenericMailet {
    public static final String NOTICE_HEADER = "X-Bulwark-Notice";
    private static final Logger LOGGER = LoggerFactory.getLogger(StripInfectedParts.class);
    private static final String BANNED_EXTENSIONS = "bannedExtensions";

    private final VirusScanner scanner;
    private Set<String> bannedExtensions = Set.of();

    @Inject
    public StripInfectedParts(VirusScanner scanner) {
        this.scanner = scanner;
    }

    @Override
    public void init() throws MessagingException {
        Parameters.checkKnown(this, Set.of(BANNED_EXTENSIONS));
        bannedExtensions = Parameters.text(this, BANNED_EXTENSIONS)
            .map(value -> Set.copyOf(List.of(value.toLowerCase(Locale.ROOT).replace(".", "").split("\\s*,\\s*"))))
            .orElse(Set.of());
    }

    /** One removed attachment and why. */
    record Removal(String fileName, String reason) {
        @Override
        public String toString() {
            return fileName + " (" + reason + ")";
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        if (!message.isMimeType("multipart/*")) {
            return;
        }
        List<Removal> removals = new ArrayList<>();
        Multipart top;
        try {
            top = (Multipart) message.getContent();
            strip(top, removals);
        } catch (IOException e) {
            throw new MessagingException("cannot read the parts of " + mail.getName(), e);
        }
        if (removals.isEmpty()) {
            return;
        }
        addNotice(top, removals);
        // Set the edited tree back explicitly: javax.mail does not promise to write a cached one.
        message.setContent(top);
        message.saveChanges();
        mail.setAttribute(new Attribute(BulwarkAttributes.REMOVED_PARTS, AttributeValue.of(removals.toString())));

        ScanVerdict rescan = scanner.scan(MailContent.of(mail));
        LOGGER.info("Removed {} from {}; the rest scans {}", LogText.of(removals), mail.getName(), LogText.of(rescan));
        if (rescan.isClean()) {
            mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of(ScanVerdict.Status.CLEAN.name())));
            VirusScan.setHeader(mail, HeaderText.of("cleaned: removed " + removals
                + rescan.endpoint().map(e -> " (rescanned at " + e + ")").orElse("")));
        }
    }

    private void strip(Multipart multipart, List<Removal> removals) throws MessagingException, IOException {
        for (int i = multipart.getCount() - 1; i >= 0; i--) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.isMimeType("multipart/*")) {
                Multipart nested = (Multipart) part.getContent();
                int before = removals.size();
                strip(nested, removals);
                if (removals.size() > before) {
                    part.setContent(nested);
                }
                continue;
            }
            Optional<String> reason = reasonToRemove(part);
            if (reason.isPresent()) {
                removals.add(0, new Removal(fileName(part), reason.get()));
                multipart.removeBodyPart(i);
            }
        }
    }

    private Optional<String> reasonToRemove(BodyPart part) throws MessagingException {
        String fileName = fileName(part);
        int dot = fileName.lastIndexOf('.');
        if (dot >= 0 && bannedExtensions.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT))) {
            return Optional.of("banned file type");
        }
        if (!isAttachment(part)) {
            return Optional.empty();
        }
        ScanVerdict verdict = scanner.scan(out -> {
            try (var in = part.getInputStream()) {
                in.transferTo(out);
            } catch (MessagingException e) {
                throw new IOException(e);
            }
        });
        return switch (verdict.status()) {
            case INFECTED -> Optional.of("infected: " + String.join(", ", verdict.names()));
            case SUSPICIOUS -> Optional.of("suspicious: " + String.join(", ", verdict.names()));
            // Unscannable or unanswered parts are not judged here: the whole-message verdict stands.
            case CLEAN, UNSCANNABLE, ERROR -> Optional.empty();
        };
    }

    private static boolean isAttachment(Part part) throws MessagingException {
        return Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())
            || part.getFileName() != null
            || !(part.isMimeType("text/plain") || part.isMimeType("text/html"));
    }

    private static String fileName(Part part) throws MessagingException {
        String name = part.getFileName();
        return name == null || name.isBlank() ? "unnamed " + part.getContentType().split(";")[0].trim() + " part" : HeaderText.of(name);
    }

    private static void addNotice(Multipart top, List<Removal> removals) throws MessagingException {
        StringBuilder text = new StringBuilder("This message had ").append(removals.size())
            .append(removals.size() == 1 ? " attachment" : " attachments").append(" removed by the mail server's security check:\r\n\r\n");
        removals.forEach(removal -> text.append("  - ").append(removal).append("\r\n"));
        text.append("\r\nThe rest of the message is as it was sent. Ask your administrator if you need the removed content.\r\n");
        MimeBodyPart notice = new MimeBodyPart();
        notice.setText(text.toString(), "UTF-8");
        notice.setHeader(NOTICE_HEADER, "removed-attachments");
        top.addBodyPart(notice, 0);
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark StripInfectedParts";
    }
}
