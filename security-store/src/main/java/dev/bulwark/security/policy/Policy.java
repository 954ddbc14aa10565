package dev.bulwark.security.policy;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A complete policy: what happens to each kind of mail for the recipients it applies to. The default
 * policy is one; a group's policy is its override merged over the default ({@link PolicyDocuments}).
 * Built only from a validated document, so every value here is within its bounds.
 *
 * @param actions                what happens to mail with each verdict
 * @param allowUnscannedDelivery whether unscannable or unscanned mail may be delivered at all
 * @param spam                   the score thresholds and the subject tag
 * @param notices                who is told when mail is withheld
 * @param banned                 attachment rules on top of the attachment check's own
 * @param outbreak               when detections make an outbreak, and what an outbreak does
 * @param language               the language of notices (a template set: en, de)
 */
public record Policy(Map<PolicyVerdict, PolicyAction> actions, boolean allowUnscannedDelivery, Spam spam, Notices notices, Banned banned,
                     Outbreak outbreak, String language) {
    public Policy {
        actions = Map.copyOf(new EnumMap<>(actions));
    }

    public PolicyAction action(PolicyVerdict verdict) {
        return actions.get(verdict);
    }

    /**
     * @param tagAt        from this score the subject is tagged (when {@code subjectTag} is not empty)
     * @param quarantineAt from this score the mail is quarantined (empty: never)
     * @param rejectAt     from this score the mail is refused at SMTP time, or quarantined in the pipeline (empty: never)
     */
    public record Spam(double tagAt, Optional<Double> quarantineAt, Optional<Double> rejectAt, String subjectTag) {
        /** What a score leads to: the strongest threshold it reaches. */
        public SpamOutcome outcome(double score) {
            if (rejectAt.filter(at -> score >= at).isPresent()) {
                return SpamOutcome.REJECT;
            }
            if (quarantineAt.filter(at -> score >= at).isPresent()) {
                return SpamOutcome.QUARANTINE;
            }
            return score >= tagAt ? SpamOutcome.TAG : SpamOutcome.DELIVER;
        }
    }

    public enum SpamOutcome {
        DELIVER, TAG, QUARANTINE, REJECT
    }

    public record Notices(boolean admin, boolean sender, boolean recipients) {
    }

    /**
     * @param extensions        file name extensions banned in addition to the attachment check's own
     * @param types             MIME types banned in addition
     * @param encryptedArchives whether encrypted archives are banned
     * @param maxArchiveDepth   archives nested deeper than this are banned
     * @param allowExtensions   file name extensions whose ban by name is lifted, the attachment check's own and
     *                          {@code extensions} alike (a ban by real type or archive rule stays)
     */
    public record Banned(List<String> extensions, List<String> types, boolean encryptedArchives, int maxArchiveDepth,
                         List<String> allowExtensions) {
        public Banned {
            extensions = List.copyOf(extensions);
            types = List.copyOf(types);
            allowExtensions = List.copyOf(allowExtensions);
        }

        /** No ban lifted. */
        public Banned(List<String> extensions, List<String> types, boolean encryptedArchives, int maxArchiveDepth) {
            this(extensions, types, encryptedArchives, maxArchiveDepth, List.of());
        }
    }

    public enum OutbreakMode {
        NOTIFY("notify"), LOG("log"), QUARANTINE("quarantine");

        private final String wire;

        OutbreakMode(String wire) {
            this.wire = wire;
        }

        public String asString() {
            return wire;
        }

        public static Optional<OutbreakMode> parse(String value) {
            return java.util.Arrays.stream(values()).filter(mode -> mode.wire.equals(value)).findFirst();
        }
    }

    /**
     * @param mode     notify (admins are alerted), log (an event only), quarantine (alert, and mail from the
     *                 outbreak's senders is quarantined)
     * @param perVirus more than this many detections of one virus in the window start an outbreak
     * @param total    more than this many detections in the window start an outbreak
     * @param window   the sliding window detections are counted in
     */
    public record Outbreak(OutbreakMode mode, int perVirus, int total, Duration window) {
    }
}
