package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * amavisd-new (Debian's package), the classic content filter, as the benchmark's peer: started by the harness
 * from a configuration file of its own in a temporary run directory, on a free loopback port, stopped at the
 * end of its phase. Offline: SpamAssassin local tests only (no DNS lists, no Razor, Pyzor or DCC), no DKIM, no
 * SQL or LDAP, no notifications.
 *
 * <p>What it does with each mail, as a Debian operator's amavisd does: receives it over SMTP, decodes the MIME
 * tree into files, has clamd scan them ({@code CONTSCAN} of the parts directory, the same clamd as every
 * other phase), runs SpamAssassin in-process once per mail (Debian's rules and local.cf, as spamd), then
 * forwards it with its {@code X-Spam-*} headers to James ({@code $forward_method}) before it answers the
 * client. Infected mail is discarded after a copy goes to its local quarantine directory, which the outcome
 * tracker reads; spam is delivered flagged ({@code X-Spam-Flag: YES} from tag2 level 5, spamd's
 * required_score).
 */
final class AmavisdInstance implements AutoCloseable {
    static final String BINARY = "/usr/sbin/amavisd";
    /** amavisd refuses to run as root; when the harness is root, the children run as Debian's amavis user. */
    private static final String DAEMON_USER = "amavis";
    private static final Pattern SUBJECT = Pattern.compile("(?im)^Subject:\\s*(\\S+)");

    private final Process process;
    private final Path runDir;
    private final int port;

    private AmavisdInstance(Process process, Path runDir, int port) {
        this.process = process;
        this.runDir = runDir;
        this.port = port;
    }

    static boolean installed() {
        return Files.isExecutable(Path.of(BINARY));
    }

    /**
     * @param children amavisd's {@code $max_servers}: mails it handles at once
     * @param spamSizeLimit {@code $sa_mail_body_size_limit}: larger mail is truncated to it before SpamAssassin
     */
    static AmavisdInstance start(int jamesSmtpPort, Daemons daemons, int children, int spamSizeLimit) throws IOException, InterruptedException {
        if (!installed()) {
            throw new IOException(BINARY + " not found: install Debian's amavisd-new (scripts/bench.sh --pipelines does when root)");
        }
        Path runDir = Files.createTempDirectory("bulwark-bench-amavisd.");
        int port = freePort();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            // amavisd refuses a configuration file, or a folder holding one, that its user may write: the file sits in
            // the run directory, what amavisd writes in var/ below it.
            Path home = runDir.resolve("var");
            for (String dir : List.of("tmp", "db", "home", "quarantine")) {
                Files.createDirectories(home.resolve(dir));
            }
            Path conf = runDir.resolve("amavisd.conf");
            Files.writeString(conf, config(home, port, jamesSmtpPort, daemons, children, spamSizeLimit, root));
            if (root) {
                // The children drop to the amavis user: var/ must be theirs, the rest root's and readable.
                run("chmod", "755", runDir.toString());
                run("chmod", "644", conf.toString());
                run("chown", "-R", DAEMON_USER + ":" + DAEMON_USER, home.toString());
            }
            Process process = new ProcessBuilder(BINARY, "-c", conf.toString(), "foreground")
                .directory(runDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(runDir.resolve("amavisd.out").toFile())
                .start();
            AmavisdInstance amavisd = new AmavisdInstance(process, runDir, port);
            try {
                amavisd.awaitGreeting(TimeUnit.SECONDS.toNanos(180));
            } catch (IOException e) {
                amavisd.close(false);
                throw e;
            }
            return amavisd;
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (Files.exists(runDir)) {
                System.err.println("bench: amavisd's run directory kept for its logs: " + runDir);
            }
            throw e;
        }
    }

    private static String config(Path dir, int port, int jamesPort, Daemons daemons, int children, int spamSizeLimit, boolean root) {
        return """
            # Written by the pipeline benchmark (dev.bulwark.bench.pipeline.AmavisdInstance) for one phase; deleted after it.
            use strict;
            $MYHOME = '%1$s';
            $TEMPBASE = "$MYHOME/tmp";
            $db_home = "$MYHOME/db";
            $helpers_home = "$MYHOME/home";
            $QUARANTINEDIR = "$MYHOME/quarantine";
            $pid_file = "$MYHOME/amavisd.pid";
            $lock_file = "$MYHOME/amavisd.lock";
            $unix_socketname = undef;
            %2$s
            $mydomain = 'bulwark.test';
            $myhostname = 'amavisd.bench.bulwark.test';
            @local_domains_acl = ( '.bulwark.test' );
            @mynetworks = qw( 127.0.0.0/8 );
            $inet_socket_bind = '127.0.0.1';
            $inet_socket_port = %3$d;
            @inet_acl = qw( 127.0.0.1 );
            $protocol = 'SMTP';
            $forward_method = 'smtp:[127.0.0.1]:%4$d';
            $notify_method = $forward_method;
            # Prefork: this many children, each one mail at a time; none replaced during a run.
            $max_servers = %5$d;
            $max_requests = 100000;
            $child_timeout = 600;
            $smtpd_timeout = 600;
            $DO_SYSLOG = 0;
            $LOGFILE = "$MYHOME/amavis.log";
            $log_level = 0;
            $enable_db = 0;
            $enable_zmq = 0;
            $nanny_details_level = 0;
            $enable_dkim_verification = 0;
            $enable_dkim_signing = 0;
            # SpamAssassin: Debian's rules and /etc/spamassassin/local.cf, network tests off (spamd's --local).
            $sa_local_tests_only = 1;
            $sa_tag_level_deflt = -999;
            $sa_tag2_level_deflt = 5.0;
            $sa_kill_level_deflt = 9999;
            $sa_dsn_cutoff_level = 9999;
            $sa_spam_subject_tag = undef;
            $sa_mail_body_size_limit = %6$d;
            # Spam delivered flagged; infected mail discarded after its copy in the local quarantine.
            $final_virus_destiny = D_DISCARD;
            $final_spam_destiny = D_PASS;
            $final_banned_destiny = D_PASS;
            $final_bad_header_destiny = D_PASS;
            $virus_quarantine_method = 'local:virus-%%m';
            $spam_quarantine_to = undef;
            $banned_quarantine_to = undef;
            $bad_header_quarantine_to = undef;
            $virus_admin = undef;
            $spam_admin = undef;
            $warnvirusrecip = 0;
            $warnbannedrecip = 0;
            $warnbadhrecip = 0;
            @av_scanners = (
              ['ClamAV-clamd', \\&ask_daemon, ["CONTSCAN {}\\n", "%7$s:%8$d"],
                qr/\\bOK$/m, qr/\\bFOUND$/m, qr/^.*?: (?!Infected Archive)(.*) FOUND$/m ],
            );
            @av_scanners_backup = ();
            1;
            """.formatted(dir, root ? "$daemon_user = '" + DAEMON_USER + "';\n$daemon_group = '" + DAEMON_USER + "';" : "",
            port, jamesPort, children, spamSizeLimit, daemons.clamdHost(), daemons.clamdPort());
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path runDir() {
        return runDir;
    }

    /** Its SMTP greeting: SpamAssassin's rules are compiled before the children start. */
    private void awaitGreeting(long timeoutNanos) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("amavisd exited with " + process.exitValue() + ": " + tail(runDir.resolve("amavisd.out"))
                    + " " + tail(runDir.resolve("var/amavis.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                socket.setSoTimeout(30_000);
                byte[] greeting = new byte[3];
                if (socket.getInputStream().readNBytes(greeting, 0, 3) == 3 && new String(greeting, StandardCharsets.US_ASCII).equals("220")) {
                    socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IOException("amavisd did not greet on 127.0.0.1:" + port + " in time" + (last == null ? "" : ": " + last.getMessage())
            + "; " + tail(runDir.resolve("var/amavis.log")));
    }

    /** The quarantine directory's new files, each read for its Subject's first word (the token). */
    OutcomeTracker.QuarantineView quarantine() {
        Path dir = runDir.resolve("var/quarantine");
        Set<Path> known = new HashSet<>();
        return () -> {
            List<String> tokens = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> !known.contains(f)).toList()) {
                    Matcher subject = SUBJECT.matcher(headers(file));
                    if (subject.find()) {
                        known.add(file);
                        tokens.add(subject.group(1));
                    } // else still being written: read at the next poll
                }
            }
            return tokens;
        };
    }

    private static String headers(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\n\n");
        return end < 0 ? "" : text.substring(0, end);
    }

    @Override
    public void close() {
        close(true);
    }

    /** TERM to the parent (Net::Server stops its children), then the processes it left, if any. */
    private void close(boolean deleteRunDir) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        if (deleteRunDir) {
            deleteRecursively(runDir);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir, e);
        }
    }

    /** Debian's package version, e.g. "1:2.13.0-3+deb12u1", or empty. */
    static Optional<String> version() {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f", "${Version}", "amavisd-new").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && !output.isEmpty() ? Optional.of(output) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
