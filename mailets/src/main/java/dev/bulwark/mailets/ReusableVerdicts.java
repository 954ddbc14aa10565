package dev.bulwark.mailets;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.ScanVerdict;

/**
 * Verdicts already given for these exact bytes, handed on so that they are not scanned twice: by
 * {@link SmtpScanHook} during the SMTP transaction, and by SpamCheck to the copies it splits off for
 * recipients whose verdict differs. The marker is consumed by the first reuse: mail sent back for a
 * rescan later is scanned again.
 */
final class ReusableVerdicts {
    /** On a virus verdict (bulwark.virus.*) the pipeline may reuse once. */
    static final AttributeName VIRUS = AttributeName.of("bulwark.virus.reusable");
    /** On a spam verdict (bulwark.spam.*) the pipeline may reuse once. */
    static final AttributeName SPAM = AttributeName.of("bulwark.spam.reusable");

    private ReusableVerdicts() {
    }

    /** @param stage who gave the verdict, for the events: {@code smtp} or {@code split} */
    static void mark(Mail mail, AttributeName marker, String stage) {
        mail.setAttribute(new Attribute(marker, AttributeValue.of(stage)));
    }

    /** Removes the marker and says who gave the verdict; empty when there is nothing to reuse. */
    static Optional<String> take(Mail mail, AttributeName marker) {
        return mail.removeAttribute(marker).map(a -> String.valueOf(a.getValue().value()));
    }

    /** The virus scan recorded in the mail's attributes (verdict, and how it was scanned); empty for an ERROR. */
    static Optional<MessageScan> virusScan(Mail mail) {
        MessageScan.Mode mode = text(mail, BulwarkAttributes.VIRUS_SCAN_MODE).flatMap(MessageScan.Mode::parse).orElse(MessageScan.Mode.WHOLE);
        int parts = mail.getAttribute(BulwarkAttributes.VIRUS_SCANNED_PARTS).map(a -> a.getValue().value())
            .filter(Integer.class::isInstance).map(Integer.class::cast).orElse(1);
        return virusVerdict(mail).map(verdict -> new MessageScan(verdict, mode, parts));
    }

    /** The virus verdict recorded in the mail's attributes; empty for an ERROR, which is never reused. */
    static Optional<ScanVerdict> virusVerdict(Mail mail) {
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

    private static Optional<String> text(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).filter(String.class::isInstance).map(String.class::cast);
    }
}
