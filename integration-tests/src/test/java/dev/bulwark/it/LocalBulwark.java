package dev.bulwark.it;


import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.bulwark.scanner.testing.ScannerDaemons;
import dev.bulwark.scanner.testing.TestSamples;

/**
 * The main job, run by {@code scripts/run-local.sh}: James 3.8.1 with Bulwark on localhost, fed a clean,
 * a spam and a virus mail over SMTP, with what became of each printed. Then it keeps running for you to
 * use (SMTP, IMAP, webadmin) until Ctrl-C, or stops at once with {@code --exit}.
 */
public final class LocalBulwark {
    private static final String SENDER = "newsletter@example.com";

    private LocalBulwark() {
    }

    public static void main(String[] args) throws Exception {
        boolean exitAfterDemo = List.of(args).contains("--exit");
        ScannerDaemons daemons = daemonsFromEnvironment();
        Path workDir = Paths.get(env("BULWARK_JAMES_DIR", ".run/james")).toAbsolutePath();
        WorkDirs.delete(workDir);
        BulwarkJames.Ports ports = new BulwarkJames.Ports(
            Integer.parseInt(env("BULWARK_SMTP_PORT", "2525")),
            Integer.parseInt(env("BULWARK_IMAP_PORT", "1143")),
            Integer.parseInt(env("BULWARK_WEBADMIN_PORT", "8000")));

        // As shipped: the tests' harness turns the pipeline canary off, a local run keeps it.
        BulwarkJames james = BulwarkJames.start(workDir, daemons, ports,
            conf -> conf.setProperty("bulwark.properties", "canary.interval", "5m"));
        Runtime.getRuntime().addShutdownHook(new Thread(james::close));
        MailClients clients = new MailClients(james);
        String alice = james.addUser("alice");
        String bob = james.addUser("bob");
        String carol = james.addUser("carol");

        System.out.println();
        System.out.println("James 3.8.1 with Bulwark is up: SMTP 127.0.0.1:" + james.smtpPort() + ", IMAP 127.0.0.1:" + james.imapPort()
            + ", webadmin http://127.0.0.1:" + james.webAdminPort() + " (clamd " + daemons.clamdAddress() + ", spamd " + daemons.spamdAddress() + ")");
        System.out.println("Sending three sample mails over SMTP...");
        clients.send(SENDER, alice, TestSamples.plainMessage(SENDER, alice, "Lunch on Friday", "Noon at the usual place?"));
        clients.send(SENDER, bob, TestSamples.plainMessage(SENDER, bob, "You have won", TestSamples.GTUBE));
        clients.send(SENDER, carol, TestSamples.messageWithAttachment(SENDER, carol, "Your invoice", "invoice.com",
            TestSamples.EICAR.getBytes(StandardCharsets.US_ASCII)));

        System.out.println();
        System.out.printf("%-6s %-17s %-20s %s%n", "KIND", "SUBJECT", "RECIPIENT", "WHAT HAPPENED");
        report("clean", "Lunch on Friday", alice, delivered(clients, alice));
        report("spam", "You have won", bob, delivered(clients, bob));
        report("virus", "Your invoice", carol, quarantined(clients, "Your invoice", carol));
        System.out.println();
        System.out.println("Users alice, bob, carol @" + BulwarkJames.DOMAIN + " (password '" + BulwarkJames.PASSWORD + "') can read their mail over IMAP.");
        System.out.println("Quarantine: curl http://127.0.0.1:" + james.webAdminPort() + "/bulwark/quarantine"
            + " ; health: curl http://127.0.0.1:" + james.webAdminPort() + "/healthcheck");

        if (exitAfterDemo) {
            james.close();
            System.exit(0);
        }
        System.out.println("Running until Ctrl-C.");
        new CountDownLatch(1).await();
    }

    private static String delivered(MailClients clients, String user) throws Exception {
        String message = clients.awaitInboxMessage(user, 1);
        return "delivered to INBOX; " + header(message, "X-Bulwark-Virus").map(h -> "X-Bulwark-Virus: " + h).orElse("no X-Bulwark-Virus header!")
            + "; " + header(message, "X-Spam-Flag").map(h -> "X-Spam-Flag: " + h).orElse("no X-Spam-Flag")
            + header(message, "X-Spam-Score").map(h -> " (score " + h + ")").orElse("");
    }

    private static String quarantined(MailClients clients, String subject, String user) throws Exception {
        Map<String, Object> entry = clients.awaitQuarantined(subject);
        return "quarantined as " + entry.get("id") + " (" + entry.get("reason") + ": " + entry.get("virusNames") + "); INBOX holds "
            + clients.inboxCount(user) + " message(s)";
    }

    private static void report(String kind, String subject, String recipient, String outcome) {
        System.out.printf("%-6s %-17s %-20s %s%n", kind, subject, recipient, outcome);
    }

    private static Optional<String> header(String message, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + ": (.*)\r?$").matcher(message);
        return matcher.find() ? Optional.of(matcher.group(1).trim()) : Optional.empty();
    }

    private static ScannerDaemons daemonsFromEnvironment() {
        String[] clamd = env("BULWARK_TEST_CLAMD", "127.0.0.1:3310").split(":");
        String[] spamd = env("BULWARK_TEST_SPAMD", "127.0.0.1:783").split(":");
        return new ScannerDaemons(clamd[0], Integer.parseInt(clamd[1]), spamd[0], Integer.parseInt(spamd[1]));
    }

    private static String env(String name, String defaultValue) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank()).orElse(defaultValue);
    }

}
