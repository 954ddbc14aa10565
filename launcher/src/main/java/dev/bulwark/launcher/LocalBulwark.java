package dev.bulwark.launcher;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import org.apache.commons.io.file.PathUtils;

/**
 * The main job, run by {@code scripts/run-local.sh}: James 3.8.1 with Bulwark on localhost, fed a clean,
 * a spam and a virus mail over SMTP, with what became of each printed. Then it keeps running for you to
 * use (SMTP, IMAP, webadmin) until Ctrl-C, or stops at once with {@code --exit}.
 *
 * <p>Settings (environment): {@code BULWARK_TEST_CLAMD} and {@code BULWARK_TEST_SPAMD} (host:port, as
 * {@code scripts/scanners.sh env} prints them; default 127.0.0.1:3310 and 127.0.0.1:783),
 * {@code BULWARK_SMTP_PORT} (2525), {@code BULWARK_IMAP_PORT} (1143), {@code BULWARK_WEBADMIN_PORT} (8000),
 * {@code BULWARK_JAMES_DIR} (James's working directory, emptied first; default .run/james),
 * {@code BULWARK_JWT_DIR} (webadmin's key pair from scripts/webadmin-keys.sh; default .run/webadmin-jwt). System
 * properties {@code bulwark.jar} and {@code bulwark.james-conf} name what is installed ({@link Installation}).
 */
public final class LocalBulwark {
    private static final String DEFAULT_JWT_DIR = ".run/webadmin-jwt";

    private LocalBulwark() {
    }

    public static void main(String[] args) throws Exception {
        boolean exitAfterReport = List.of(args).contains("--exit");
        ScannerEndpoints scanners = new ScannerEndpoints(env("BULWARK_TEST_CLAMD", "127.0.0.1:3310"), env("BULWARK_TEST_SPAMD", "127.0.0.1:783"));
        Path workDir = Paths.get(env("BULWARK_JAMES_DIR", ".run/james")).toAbsolutePath();
        if (workDir.toFile().exists()) {
            PathUtils.deleteDirectory(workDir);
        }
        BulwarkJames.Ports ports = new BulwarkJames.Ports(
            Integer.parseInt(env("BULWARK_SMTP_PORT", "2525")),
            Integer.parseInt(env("BULWARK_IMAP_PORT", "1143")),
            Integer.parseInt(env("BULWARK_WEBADMIN_PORT", "8000")));

        // Webadmin's JWT key pair, made by scripts/webadmin-keys.sh: James checks tokens with the public half,
        // this report signs its own calls with the private one, as scripts/admin-token.sh does for you.
        Path jwtDir = Paths.get(env("BULWARK_JWT_DIR", DEFAULT_JWT_DIR)).toAbsolutePath();
        WebAdminJwt jwt = WebAdminJwt.fromPem(jwtDir.resolve(WebAdminJwt.PRIVATE_KEY_FILE), jwtDir.resolve(WebAdminJwt.PUBLIC_KEY_FILE));
        BulwarkJames james = BulwarkJames.start(workDir, Installation.find(), scanners, ports, jwt, conf -> { });
        Runtime.getRuntime().addShutdownHook(new Thread(james::close));

        System.out.println();
        System.out.println("James 3.8.1 with Bulwark is up: SMTP 127.0.0.1:" + james.smtpPort() + ", IMAP 127.0.0.1:" + james.imapPort()
            + ", webadmin " + james.webAdminUrl() + " (clamd " + scanners.clamd() + ", spamd " + scanners.spamd() + ")");
        new SampleReport(james, System.out).run();
        System.out.println();
        System.out.println("Users alice, bob, carol @" + BulwarkJames.DOMAIN + " (password '" + BulwarkJames.PASSWORD + "') can read their mail over IMAP.");
        System.out.println("Admin notices and alerts: " + BulwarkJames.POSTMASTER + " (password '" + BulwarkJames.PASSWORD
            + "'), INBOX over IMAP 127.0.0.1:" + james.imapPort() + ".");
        String webAdmin = james.webAdminUrl();
        String token = jwtDir.equals(Paths.get(DEFAULT_JWT_DIR).toAbsolutePath()) ? "scripts/admin-token.sh"
            : "BULWARK_JWT_DIR=" + jwtDir + " scripts/admin-token.sh";
        System.out.println("Webadmin requires an admin token (JWT): " + token + " prints one, valid 8 hours (docs/SECURITY.md).");
        System.out.println("  Quarantine: curl -H \"Authorization: Bearer $(" + token + ")\" " + webAdmin + "/bulwark/quarantine");
        System.out.println("  Health:     curl " + webAdmin + "/healthcheck");
        System.out.println("  Console:    " + webAdmin + "/bulwark/console (paste a token from " + token + " when it asks)");

        if (exitAfterReport) {
            james.close();
            System.exit(0);
        }
        System.out.println("Running until Ctrl-C.");
        new CountDownLatch(1).await();
    }

    private static String env(String name, String defaultValue) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank()).orElse(defaultValue);
    }
}
