package dev.bulwark.notifications;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether the sender of a mail may get a notice. Viruses and spam nearly always come with a
 * forged sender: a notice to it is backscatter, mail to an innocent third party, and a notice to a
 * forged local address ({@code MAIL FROM:<alice@our.domain>} from anywhere) tells a local user about mail
 * she never sent. So a notice goes only to senders whose mail the server itself vouches for: an SMTP
 * AUTH session, or a client in an authorised network (smtpserver.xml's authorizedAddresses); never for a
 * null sender, list or bulk mail, auto-submitted mail, or viruses known to forge senders.
 */
public final class BackscatterGuard {
    /** Viruses whose sender is forged by design (mass mailers); shell-style * wildcards, case-insensitive. */
    public static final List<String> DEFAULT_FORGING_VIRUSES = List.of("*Mydoom*", "*Netsky*", "*Bagle*", "*Sober*", "*Mytob*",
        "Worm.*", "*.Worm.*", "*Phishing*", "Heuristics.*");

    /**
     * What the guard knows about the mail.
     *
     * @param authenticated     the mail came in an SMTP AUTH session
     * @param authorisedNetwork the client's address is in an authorised network
     */
    public record Facts(Optional<String> sender, boolean authenticated, boolean authorisedNetwork, Optional<String> precedence,
                        boolean hasListId, Optional<String> autoSubmitted, List<String> virusNames) {
    }

    private final List<Pattern> forging;

    public BackscatterGuard(List<String> forgingVirusPatterns) {
        this.forging = forgingVirusPatterns.stream().map(BackscatterGuard::glob).toList();
    }

    /** Why no notice may go to the sender; empty when one may. */
    public Optional<String> refusal(Facts facts) {
        if (facts.sender().isEmpty()) {
            return Optional.of("null sender");
        }
        if (facts.precedence().map(p -> p.trim().toLowerCase(Locale.ROOT)).filter(p -> p.equals("bulk") || p.equals("list") || p.equals("junk")).isPresent()) {
            return Optional.of("Precedence: " + facts.precedence().get().trim());
        }
        if (facts.hasListId()) {
            return Optional.of("mailing-list mail (List-Id)");
        }
        if (facts.autoSubmitted().map(a -> a.trim().toLowerCase(Locale.ROOT)).filter(a -> !a.isEmpty() && !a.startsWith("no")).isPresent()) {
            return Optional.of("auto-submitted mail (" + facts.autoSubmitted().get().trim() + ")");
        }
        Optional<String> forger = facts.virusNames().stream().filter(name -> forging.stream().anyMatch(p -> p.matcher(name).matches())).findFirst();
        if (forger.isPresent()) {
            return Optional.of(forger.get() + " forges senders");
        }
        if (!facts.authenticated() && !facts.authorisedNetwork()) {
            return Optional.of("sender " + facts.sender().get() + " neither authenticated nor in an authorised network (it may be forged)");
        }
        return Optional.empty();
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }
}
