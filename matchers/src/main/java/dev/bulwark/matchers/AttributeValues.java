package dev.bulwark.matchers;

import java.util.Optional;

import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;

/** Typed reads of the attributes Bulwark set; a missing or differently typed attribute reads as empty. */
final class AttributeValues {
    private AttributeValues() {
    }

    static Optional<String> string(Mail mail, AttributeName name) {
        return AttributeUtils.getValueAndCastFromMail(mail, name, String.class);
    }

    static Optional<Double> number(Mail mail, AttributeName name) {
        return AttributeUtils.getValueAndCastFromMail(mail, name, Double.class);
    }
}
