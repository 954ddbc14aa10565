package dev.bulwark.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.modules.protocols.ImapGuiceProbe;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.WebAdminGuiceProbe;

/**
 * A real James 3.8.1 memory server, in this JVM, with Bulwark installed the way an operator installs it:
 * the distribution jar in {@code extensions-jars/}, the configuration from {@code james-conf/}. Only the
 * scanner addresses and the listening ports are set for the run, and the public half of the run's webadmin
 * key pair is put where the sample's JWT authentication reads it. The main job ({@link LocalBulwark}) and the
 * integration tests start James this way, and no other.
 */
public final class BulwarkJames implements AutoCloseable {
    public static final String DOMAIN = "bulwark.test";
    public static final String PASSWORD = "secret";
    /** james-conf names the postmaster {@code postmaster}, at James's default domain: Bulwark's admin notices go there. */
    public static final String POSTMASTER = "postmaster@localhost";
    /** The subject of {@link #adminToken()}: what webadmin records as who acted. */
    public static final String ADMIN_SUBJECT = "bulwark-admin";

    /** Ports to listen on, all on 127.0.0.1; 0 lets the system choose. */
    public record Ports(int smtp, int imap, int webAdmin) {
        public static final Ports ANY = new Ports(0, 0, 0);
    }

    private final GuiceJamesServer server;
    private final Path workDir;
    private final WebAdminJwt jwt;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BulwarkJames(GuiceJamesServer server, Path workDir, WebAdminJwt jwt) {
        this.server = server;
        this.workDir = workDir;
        this.jwt = jwt;
    }

    /**
     * Prepares {@code workDir} for a run: conf/ (james-conf/ with these scanners and ports, and the public half
     * of {@code jwt} where webadmin reads it) and extensions-jars/bulwark.jar.
     */
    public static ConfFolder prepare(Path workDir, Installation installation, ScannerEndpoints scanners, Ports ports, WebAdminJwt jwt)
        throws IOException {
        ConfFolder conf = ConfFolder.create(workDir, installation.jamesConf(), ports)
            .setProperty("bulwark.properties", "clamd.endpoints", scanners.clamd())
            .setProperty("bulwark.properties", "spamd.endpoints", scanners.spamd())
            .setProperty("webadmin.properties", "port", Integer.toString(ports.webAdmin()))
            .setProperty("webadmin.properties", "host", "127.0.0.1");
        jwt.installIn(conf);
        Path jars = Files.createDirectories(workDir.resolve("extensions-jars"));
        Files.copy(installation.jar(), jars.resolve("bulwark.jar"));
        return conf;
    }

    /** Prepares {@code workDir}, applies {@code edits} to its conf/ and starts James on it. */
    public static BulwarkJames start(Path workDir, Installation installation, ScannerEndpoints scanners, Ports ports, WebAdminJwt jwt,
                                     Consumer<ConfFolder> edits) throws Exception {
        edits.accept(prepare(workDir, installation, scanners, ports, jwt));
        return start(workDir, jwt);
    }

    /**
     * Starts James on a prepared {@code workDir} (again, after a stop: its data is kept), whose webadmin takes
     * tokens signed by {@code jwt}; throws what James's start-up threw.
     */
    public static BulwarkJames start(Path workDir, WebAdminJwt jwt) throws Exception {
        GuiceJamesServer server = MemoryJamesServerMain.createServer(MemoryJamesConfiguration.builder()
            .workingDirectory(workDir.toFile())
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build());
        try {
            server.start();
        } catch (Exception | Error e) {
            server.stop();
            throw e;
        }
        BulwarkJames james = new BulwarkJames(server, workDir, jwt);
        james.data().addDomain(DOMAIN);
        return james;
    }

    public DataProbeImpl data() {
        return server.getProbe(DataProbeImpl.class);
    }

    /** Creates a user {@code local@bulwark.test} with {@link #PASSWORD} and returns the address. */
    public String addUser(String local) throws Exception {
        String address = local + "@" + DOMAIN;
        data().addUser(address, PASSWORD);
        return address;
    }

    /** Creates the postmaster's user (and its domain), so that admin notices can be read over IMAP. */
    public String addPostmaster() throws Exception {
        String domain = POSTMASTER.substring(POSTMASTER.indexOf('@') + 1);
        if (!data().containsDomain(domain)) {
            data().addDomain(domain);
        }
        if (!java.util.Arrays.asList(data().listUsers()).contains(POSTMASTER)) {
            data().addUser(POSTMASTER, PASSWORD);
        }
        return POSTMASTER;
    }

    /** A token webadmin takes as an admin's (subject {@value #ADMIN_SUBJECT}): the sample requires one. */
    public String adminToken() {
        return jwt.adminToken(ADMIN_SUBJECT);
    }

    /** The key pair this James's webadmin trusts, to sign other tokens (another subject, a non-admin). */
    public WebAdminJwt jwt() {
        return jwt;
    }

    public int smtpPort() {
        return server.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    /** LMTP's port, when the conf has an lmtpserver.xml. */
    public int lmtpPort() {
        return server.getProbe(org.apache.james.modules.protocols.LmtpGuiceProbe.class).getLmtpPort();
    }

    /** JMAP's port, when the conf has a jmap.properties that enables it (the sample does not). */
    public int jmapPort() {
        return server.getProbe(org.apache.james.jmap.draft.JmapGuiceProbe.class).getJmapPort().getValue();
    }

    public int imapPort() {
        return server.getProbe(ImapGuiceProbe.class).getImapPort();
    }

    public int webAdminPort() {
        return server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue();
    }

    /** Where webadmin listens ({@link #prepare} binds it to 127.0.0.1), without a trailing slash. */
    public String webAdminUrl() {
        return "http://127.0.0.1:" + webAdminPort();
    }

    public Path workDir() {
        return workDir;
    }

    /** Stops James; a second call does nothing (a fixture may stop what a test stopped already). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop();
        }
    }
}
