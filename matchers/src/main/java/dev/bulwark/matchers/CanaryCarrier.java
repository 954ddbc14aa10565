package dev.bulwark.matchers;

import java.util.Arrays;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The pipeline canary's carriers, named in their {@code bulwark.canary} attribute ({@code <carrier>/<round>}):
 * EICAR (to be quarantined), GTUBE (to be flagged as spam) and a scan failure drill (VirusScan answers ERROR
 * without scanning; the mail must be held, not let through, which a fail-open VirusScan would do).
 */
public enum CanaryCarrier {
    VIRUS("virus"), SPAM("spam"), SCAN_FAILURE("scan-failure");

    private final String value;

    CanaryCarrier(String value) {
        this.value = value;
    }

    public String asString() {
        return value;
    }

    /** The attribute value for this carrier in one round. */
    public String attributeValue(String round) {
        return value + "/" + round;
    }

    /** The carrier a mail is, when it is one of the canary's. */
    public static Optional<CanaryCarrier> of(Mail mail) {
        return mail.getAttribute(BulwarkAttributes.CANARY).map(Attribute::getValue).map(AttributeValue::value)
            .filter(String.class::isInstance).map(String.class::cast).flatMap(CanaryCarrier::parse);
    }

    static Optional<CanaryCarrier> parse(String attributeValue) {
        String carrier = attributeValue.contains("/") ? attributeValue.substring(0, attributeValue.indexOf('/')) : attributeValue;
        return Arrays.stream(values()).filter(c -> c.value.equals(carrier)).findFirst();
    }
}
