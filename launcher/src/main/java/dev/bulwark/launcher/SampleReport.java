package dev.bulwark.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The main job's report: creates alice, bob, carol and the postmaster's mailbox, sends each user a sample
 * mail over SMTP (clean, spam, virus) and prints what became of it, read back as users and admins see it
 * (IMAP, webadmin), and the admin notice the virus produced.
 */
public final class SampleReport {
    private static final ConditionFactory AWAIT = Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100));

    private final BulwarkJames james;
    private final PrintStream out;
    private final SmtpSender smtp;
    private final MailboxReader mailboxes;
    private final WebAdminClient webAdmin;

    public SampleReport(BulwarkJames james, PrintStream out) {
        this.james = james;
        this.out = out;
        this.smtp = new SmtpSender(james.smtpPort());
        this.mailboxes = new MailboxReader(james.imapPort());
        this.webAdmin = new WebAdminClient(james.webAdminUrl(), james.adminToken());
    }

    /** Sends the three mails and prints one line for each, once its outcome is known. */
    public void run() throws Exception {
        String alice = james.addUser("alice");
        String bob = james.addUser("bob");
        String carol = james.addUser("carol");
        // Admin notices and alerts go to James's postmaster: a mailbox of its own, or they end in the address-error repository.
        String postmaster = james.addPostmaster();

        out.println("Sending three sample mails over SMTP...");
        smtp.send(SampleMails.SENDER, alice, SampleMails.clean(alice));
        smtp.send(SampleMails.SENDER, bob, SampleMails.spam(bob));
        smtp.send(SampleMails.SENDER, carol, SampleMails.virus(carol));

        out.println();
        out.printf("%-6s %-17s %-20s %s%n", "KIND", "SUBJECT", "RECIPIENT", "WHAT HAPPENED");
        line("clean", "Lunch on Friday", alice, delivered(alice));
        line("spam", "You have won", bob, delivered(bob));
        line("virus", "Your invoice", carol, quarantined("Your invoice", carol));
        line("notice", "[Bulwark] virus...", postmaster, adminNotice());
    }

    private void line(String kind, String subject, String recipient, String outcome) {
        out.printf("%-6s %-17s %-20s %s%n", kind, subject, recipient, outcome);
    }

    private String delivered(String user) throws IOException {
        AWAIT.until(() -> mailboxes.inboxCount(user) == 1);
        String message = mailboxes.firstInboxMessage(user);
        return "delivered to INBOX; " + header(message, "X-Bulwark-Virus").map(h -> "X-Bulwark-Virus: " + h).orElse("no X-Bulwark-Virus header!")
            + "; " + header(message, "X-Spam-Flag").map(h -> "X-Spam-Flag: " + h).orElse("no X-Spam-Flag")
            + header(message, "X-Spam-Score").map(h -> " (score " + h + ")").orElse("");
    }

    private String quarantined(String subject, String user) throws IOException {
        Map<String, Object> entry = AWAIT.until(() -> webAdmin.quarantine().stream()
            .filter(candidate -> subject.equals(candidate.get("subject"))).findFirst(), Optional::isPresent).orElseThrow();
        return "quarantined as " + entry.get("id") + " (" + entry.get("reason") + ": " + entry.get("virusNames") + "); INBOX holds "
            + mailboxes.inboxCount(user) + " message(s)";
    }

    /** The postmaster's notice about the virus mail, from its INBOX. */
    private String adminNotice() throws IOException {
        AWAIT.until(() -> mailboxes.inboxCount(BulwarkJames.POSTMASTER) >= 1);
        String notice = mailboxes.firstInboxMessage(BulwarkJames.POSTMASTER);
        return "admin notice in the postmaster's INBOX" + header(notice, "Subject").map(subject -> ": " + subject).orElse("");
    }

    private static Optional<String> header(String message, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + ": (.*)\r?$").matcher(message);
        return matcher.find() ? Optional.of(matcher.group(1).trim()) : Optional.empty();
    }
}
