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
import dev.bulwark.matchers.HasBannedAttachment;
import dev.bulwark.scanner.verdict.ScanVerdict;
import dev.bulwark.scanner.verdict.VirusScanner;
import dev.bulwark.security.LogText;

/**
 * The "disinfect" action: scans each attachment on its own, removes those that are infected or
 * suspicious (and, with {@code bannedExtensions}, those with a banned file name extension), adds a short
 * text part saying what was removed and why, and keeps the rest of the MIME structure as it was.
 *
 * <p>Mail sent here by the recipients' policy for what the attachment check found ({@code actions.banned: strip} or
 * {@code actions.damaged: strip}, see ApplyPolicy) also loses the parts the check found it in
 * ({@code bulwark.banned.parts}, {@code bulwark.banned.suspiciousParts}: recorded by HasBannedAttachment). When a
 * finding is not in one part that can be removed on its own (the message as a whole, its structure, a limit) or a
 * recorded part is not there, nothing is delivered: the mail is kept in the quarantine only (the processor's
 * Quarantine mailet has kept it before), never delivered with a banned part.
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
        try {
            stripOrKeep(mail);
        } catch (MessagingException | RuntimeException e) {
            // MIME too broken to take apart (a multipart without a boundary, a header javax.mail refuses): not delivered,
            // kept in the quarantine only. Never thrown on: James's error processor would bounce the whole mail to a
            // sender who may be forged, and keep a copy an operator might reprocess to delivery.
            keepInQuarantineOnly(mail, "its MIME structure cannot be taken apart (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private void stripOrKeep(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        Optional<PolicyParts> policyParts = PolicyParts.of(mail);
        if (policyParts.isEmpty()) {
            keepInQuarantineOnly(mail, "the attachment check's findings are not all in parts that can be removed on their own");
            return;
        }
        if (!message.isMimeType("multipart/*")) {
            if (!policyParts.get().allRemoved()) {
                keepInQuarantineOnly(mail, "parts " + policyParts.get().notRemoved() + " the attachment check found are not in the message");
            }
            return;
        }
        List<Removal> removals = new ArrayList<>();
        Multipart top;
        try {
            top = (Multipart) message.getContent();
            strip(top, "", policyParts.get(), removals);
        } catch (IOException e) {
            throw new MessagingException("cannot read the parts of " + mail.getName(), e);
        }
        if (!policyParts.get().allRemoved()) {
            keepInQuarantineOnly(mail, "parts " + policyParts.get().notRemoved() + " the attachment check found are not in the message");
            return;
        }
        if (removals.isEmpty()) {
            return;
        }
        addNotice(top, removals);
        // Set the edited tree back explicitly: javax.mail does not promise to write a cached one.
        message.setContent(top);
        message.saveChanges();
        mail.setAttribute(new Attribute(BulwarkAttributes.REMOVED_PARTS, AttributeValue.of(removals.toString())));
        forgetStrippedFindings(mail);

        ScanVerdict rescan = scanner.scan(MailContent.of(mail));
        LOGGER.info("Removed {} from {}; the rest scans {}", LogText.of(removals), mail.getName(), LogText.of(rescan));
        if (rescan.isClean()) {
            mail.setAttribute(new Attribute(BulwarkAttributes.VIRUS_STATUS, AttributeValue.of(ScanVerdict.Status.CLEAN.name())));
            VirusScan.setHeader(mail, HeaderText.of("cleaned: removed " + removals
                + rescan.endpoint().map(e -> " (rescanned at " + e + ")").orElse("")));
        }
    }

    /**
     * The attachment check's findings are gone with their parts: forgotten, with the policy decisions taken on them, so that
     * a check of what is left (the strip processor checks attachments again) judges it afresh, not by the old findings.
     */
    private static void forgetStrippedFindings(Mail mail) {
        HasBannedAttachment.forget(mail);
        if (mail.getAttribute(ApplyPolicy.APPLIED).isPresent()) {
            ApplyPolicy.setApplied(mail, ApplyPolicy.applied(mail).stream().filter(field -> !field.equals("banned") && !field.equals("damaged")).toList());
        }
    }

    /** Not delivered: the mail was kept in the quarantine as it came (Quarantine, passThrough, before this mailet). */
    private static void keepInQuarantineOnly(Mail mail, String why) {
        LOGGER.warn("Mail {} is not delivered stripped, only kept in the quarantine: {}", mail.getName(), LogText.of(why));
        mail.setState(Mail.GHOST);
    }

    private void strip(Multipart multipart, String section, PolicyParts policyParts, List<Removal> removals) throws MessagingException, IOException {
        for (int i = multipart.getCount() - 1; i >= 0; i--) {
            BodyPart part = multipart.getBodyPart(i);
            String path = section.isEmpty() ? Integer.toString(i + 1) : section + "." + (i + 1);
            Optional<String> policyReason = policyParts.reasonToRemove(path);
            if (policyReason.isPresent()) {
                removals.add(0, new Removal(fileName(part), policyReason.get()));
                multipart.removeBodyPart(i);
                continue;
            }
            if (part.isMimeType("multipart/*")) {
                Multipart nested = (Multipart) part.getContent();
                int before = removals.size();
                strip(nested, path, policyParts, removals);
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

    /**
     * The parts the recipients' policy has this mailet remove for what the attachment check found, by section (see
     * HasBannedAttachment): for mail ApplyPolicy sent here for {@code banned} (also the suspicious parts: the damaged verdict
     * is not applied to banned mail) or {@code damaged}; none for mail sent here for a virus.
     */
    static final class PolicyParts {
        private final java.util.Map<String, String> reasons = new java.util.LinkedHashMap<>();
        private final Set<String> removed = new java.util.HashSet<>();

        /** Empty when the policy says strip but a finding is not located in a part. */
        static Optional<PolicyParts> of(Mail mail) {
            List<String> applied = ApplyPolicy.applied(mail);
            boolean banned = text(mail, HasBannedAttachment.REASON).isPresent();
            boolean suspicious = text(mail, HasBannedAttachment.SUSPICIOUS).isPresent();
            PolicyParts parts = new PolicyParts();
            if (!(banned && applied.contains("banned") || suspicious && applied.contains("damaged"))) {
                return Optional.of(parts);
            }
            if (suspicious && !parts.add(mail, HasBannedAttachment.SUSPICIOUS_PARTS, "suspicious to the attachment check")
                || banned && !parts.add(mail, HasBannedAttachment.BANNED_PARTS, "banned by the attachment policy")) {
                return Optional.empty();
            }
            return Optional.of(parts);
        }

        private boolean add(Mail mail, org.apache.mailet.AttributeName attribute, String reason) {
            List<String> sections = text(mail, attribute).map(value -> java.util.Arrays.stream(value.split(",")).map(String::trim)
                .filter(section -> !section.isEmpty()).toList()).orElse(List.of());
            sections.forEach(section -> reasons.put(section, reason));
            return !sections.isEmpty(); // findings and no part they are in: not located
        }

        Optional<String> reasonToRemove(String section) {
            Optional<String> reason = Optional.ofNullable(reasons.get(section));
            reason.ifPresent(found -> removed.add(section));
            return reason;
        }

        boolean allRemoved() {
            return removed.containsAll(reasons.keySet());
        }

        List<String> notRemoved() {
            return reasons.keySet().stream().filter(section -> !removed.contains(section)).toList();
        }

        private static Optional<String> text(Mail mail, org.apache.mailet.AttributeName name) {
            return mail.getAttribute(name).map(attribute -> String.valueOf(attribute.getValue().value()));
        }
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark StripInfectedParts";
    }
}
