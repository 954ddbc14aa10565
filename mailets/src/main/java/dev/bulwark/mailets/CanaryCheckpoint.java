package dev.bulwark.mailets;

import java.util.HashMap;
import java.util.Map;

import javax.inject.Inject;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import dev.bulwark.matchers.BulwarkAttributes;
import dev.bulwark.matchers.CanaryCarrier;
import dev.bulwark.security.SecurityEventSink;

/**
 * Where the pipeline canary's carriers end when the pipeline let them through: first in the transport
 * processor, behind {@code IsCanary}. It reports what they carry ({@code canary.reached} with the virus and
 * spam verdicts, read by the canary watch, never stored) and ends them, so that none is ever delivered.
 * Mail that is not a canary carrier is left alone, whatever the matcher.
 */
public class CanaryCheckpoint extends GenericMailet {
    private final SecurityEventSink events;

    @Inject
    public CanaryCheckpoint(SecurityEventSink events) {
        this.events = events;
    }

    @Override
    public void service(Mail mail) {
        if (CanaryCarrier.of(mail).isEmpty()) {
            return;
        }
        Map<String, String> details = new HashMap<>();
        details.put("virusStatus", text(mail, BulwarkAttributes.VIRUS_STATUS));
        details.put("spamStatus", text(mail, BulwarkAttributes.SPAM_STATUS));
        events.record(MailEvents.of(mail, "canary.reached", details));
        mail.setState(Mail.GHOST);
    }

    private static String text(Mail mail, org.apache.mailet.AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf).orElse("none");
    }

    @Override
    public String getMailetInfo() {
        return "Bulwark CanaryCheckpoint";
    }
}
