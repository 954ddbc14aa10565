package dev.bulwark.quarantine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What Bulwark keeps about one quarantined mail, beside the mail itself.
 *
 * @param sender        the envelope sender; empty for the null sender
 * @param recipients    the envelope recipients when the mail was quarantined
 * @param virusNames    names reported by the virus scanner (empty unless the reason is virus or suspicious)
 * @param spamScore     spamd's score, when the mail was spam-checked
 * @param verdict       Bulwark's verdict attributes (bulwark.*) as text, as they were on the mail
 * @param releases      every release so far; a recipient is released at most once
 * @param rescan        the latest rescan after a signature update, if any
 * @param origin        the mailbox it was taken out of (store-level scanning); empty for mail stopped in the pipeline
 */
public record QuarantineEntry(
    QuarantineId id,
    QuarantineReason reason,
    Optional<String> sender,
    List<String> recipients,
    Optional<String> remoteAddress,
    Optional<String> remoteHost,
    Optional<String> subject,
    Optional<String> messageId,
    long size,
    Instant quarantinedAt,
    Instant expiresAt,
    List<String> virusNames,
    Optional<Double> spamScore,
    Map<String, String> verdict,
    List<Release> releases,
    Optional<Rescan> rescan,
    Optional<MailboxOrigin> origin) {

    public QuarantineEntry {
        // Entries written before rescans (or mailbox scanning) existed have no such field.
        rescan = rescan == null ? Optional.empty() : rescan;
        origin = origin == null ? Optional.empty() : origin;
        recipients = List.copyOf(recipients);
        virusNames = List.copyOf(virusNames);
        verdict = Map.copyOf(new TreeMap<>(verdict));
        releases = List.copyOf(releases);
    }

    public boolean isExpired(Instant now) {
        return !expiresAt.isAfter(now);
    }

    public Set<String> releasedRecipients() {
        return releases.stream().flatMap(release -> release.recipients().stream()).collect(Collectors.toUnmodifiableSet());
    }

    public List<String> unreleasedRecipients() {
        Set<String> released = releasedRecipients();
        return recipients.stream().filter(recipient -> !released.contains(recipient)).toList();
    }

    public QuarantineEntry withRelease(Release release) {
        return new QuarantineEntry(id, reason, sender, recipients, remoteAddress, remoteHost, subject, messageId, size,
            quarantinedAt, expiresAt, virusNames, spamScore, verdict,
            Stream.concat(releases.stream(), Stream.of(release)).toList(), rescan, origin);
    }

    public QuarantineEntry withRescan(Rescan latest) {
        return new QuarantineEntry(id, reason, sender, recipients, remoteAddress, remoteHost, subject, messageId, size,
            quarantinedAt, expiresAt, virusNames, spamScore, verdict, releases, Optional.of(latest), origin);
    }
}
