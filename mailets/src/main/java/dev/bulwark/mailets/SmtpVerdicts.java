package dev.bulwark.mailets;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.scanner.Endpoint;
import dev.bulwark.scanner.ScanVerdict;

/**
 * Verdicts given during the SMTP transaction by {@link SmtpScanHook}, handed to the mailet pipeline so
 * that the same bytes are not scanned twice. The marker is consumed by the first reuse: mail sent
 * back for a rescan later is scanned again.
 */
final class SmtpVerdicts {
    /** Set by SmtpScanHook on a virus verdict the pipeline may reuse. */
    static final AttributeName VIRUS_FROM_SMTP = AttributeName.of("bulwark.virus.smtpVerdict");
    /** Set by SmtpScanHook on a spam verdict the pipeline may reuse. */
    static final AttributeName SPAM_FROM_SMTP = AttributeName.of("bulwark.spam.smtpVerdict");

    private SmtpVerdicts() {
    }

    static void mark(Mail mail, AttributeName marker) {
        mail.setAttribute(new Attribute(marker, AttributeValue.of(true)));
    }

    /** The virus verdict the hook recorded, once; empty when there is none to reuse. */
    static Optional<ScanVerdict> takeVirusVerdict(Mail mail) {
        if (mail.removeAttribute(VIRUS_FROM_SMTP).isEmpty()) {
            return Optional.empty();
        }
        Optional<String> status = text(mail, BulwarkAttributes.VIRUS_STATUS);
        Endpoint endpoint = text(mail, BulwarkAttributes.VIRUS_ENDPOINT).map(Endpoint::parse).orElse(null);
        List<String> names = text(mail, BulwarkAttributes.VIRUS_NAMES)
            .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList()).orElse(List.of());
        Optional<ScanVerdict> verdict = status.flatMap(s -> switch (s) {
            case "CLEAN" -> Optional.of(ScanVerdict.clean(endpoint));
            case "INFECTED" -> names.isEmpty() ? Optional.empty() : Optional.of(ScanVerdict.infected(names, endpoint));
            case "SUSPICIOUS" -> names.isEmpty() ? Optional.empty() : Optional.of(ScanVerdict.suspicious(names, endpoint));
            case "UNSCANNABLE" -> Optional.of(ScanVerdict.unscannable(text(mail, BulwarkAttributes.VIRUS_REASON).orElse("too large"), endpoint));
            default -> Optional.empty(); // an ERROR is never reused: the pipeline tries again
        });
        return verdict.map(v -> text(mail, BulwarkAttributes.VIRUS_ENGINE).map(v::withEngine).orElse(v));
    }

    static boolean takeSpamVerdict(Mail mail) {
        return mail.removeAttribute(SPAM_FROM_SMTP).isPresent() && text(mail, BulwarkAttributes.SPAM_STATUS).isPresent();
    }

    private static Optional<String> text(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).filter(String.class::isInstance).map(String.class::cast);
    }
}
