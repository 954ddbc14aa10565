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
 * {@code BULWARK_JAMES_DIR} (James's working directory, emptied first; default .run/james). System
 * properties {@code bulwark.jar} and {@code bulwark.james-conf} name what is installed ({@link Installation}).
 */
public final class LocalBulwark {
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

        BulwarkJames james = BulwarkJames.start(workDir, Installation.find(), scanners, ports, conf -> { });
        Runtime.getRuntime().addShutdownHook(new Thread(james::close));

        System.out.println();
        System.out.println("James 3.8.1 with Bulwark is up: SMTP 127.0.0.1:" + james.smtpPort() + ", IMAP 127.0.0.1:" + james.imapPort()
            + ", webadmin " + james.webAdminUrl() + " (clamd " + scanners.clamd() + ", spamd " + scanners.spamd() + ")");
        new SampleReport(james, System.out).run();
        System.out.println();
        System.out.println("Users alice, bob, carol @" + BulwarkJames.DOMAIN + " (password '" + BulwarkJames.PASSWORD + "') can read their mail over IMAP.");
        System.out.println("Quarantine: curl " + james.webAdminUrl() + "/bulwark/quarantine"
            + " ; health: curl " + james.webAdminUrl() + "/healthcheck");

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
