package dev.bulwark.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.modules.protocols.ImapGuiceProbe;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.WebAdminGuiceProbe;

import dev.bulwark.scanner.testing.ScannerDaemons;

/**
 * A real James 3.8.1 memory server, in this JVM, installed the way an operator installs Bulwark:
 * the distribution jar in {@code extensions-jars/}, the configuration from {@code james-conf/}. Only the
 * scanner addresses and the listening ports are set for this run.
 */
public final class BulwarkJames implements AutoCloseable {
    public static final String DOMAIN = "bulwark.test";
    public static final String PASSWORD = "secret";

    /** Ports to listen on; 0 lets the system choose. */
    public record Ports(int smtp, int imap, int webAdmin) {
        public static final Ports ANY = new Ports(0, 0, 0);
    }

    private final GuiceJamesServer server;
    private final Path workDir;

    private BulwarkJames(GuiceJamesServer server, Path workDir) {
        this.server = server;
        this.workDir = workDir;
    }

    /** Prepares {@code workDir} for a run against {@code daemons}: conf/ and extensions-jars/. */
    public static ConfFolder prepare(Path workDir, ScannerDaemons daemons, Ports ports) throws IOException {
        ConfFolder conf = ConfFolder.create(workDir, ports)
            .setProperty("bulwark.properties", "clamd.endpoints", daemons.clamdAddress())
            .setProperty("bulwark.properties", "spamd.endpoints", daemons.spamdAddress())
            // The pipeline canary's background mail would make the counts other tests assert racy: CanaryTest turns it on.
            .setProperty("bulwark.properties", "canary.interval", "0")
            .setProperty("webadmin.properties", "port", Integer.toString(ports.webAdmin()))
            .setProperty("webadmin.properties", "host", "127.0.0.1");
        Path jars = Files.createDirectories(workDir.resolve("extensions-jars"));
        Files.copy(ProjectPaths.distributionJar(), jars.resolve("bulwark.jar"));
        return conf;
    }

    /** Starts James on a prepared {@code workDir}; throws what James's start-up threw. */
    public static BulwarkJames start(Path workDir) throws Exception {
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
        BulwarkJames james = new BulwarkJames(server, workDir);
        james.data().addDomain(DOMAIN);
        return james;
    }

    public static BulwarkJames start(Path workDir, ScannerDaemons daemons, Ports ports, Consumer<ConfFolder> edits) throws Exception {
        edits.accept(prepare(workDir, daemons, ports));
        return start(workDir);
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

    public int smtpPort() {
        return server.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    /** LMTP's port, when the test's conf has an lmtpserver.xml. */
    public int lmtpPort() {
        return server.getProbe(org.apache.james.modules.protocols.LmtpGuiceProbe.class).getLmtpPort();
    }

    public int imapPort() {
        return server.getProbe(ImapGuiceProbe.class).getImapPort();
    }

    public int webAdminPort() {
        return server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue();
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public void close() {
        server.stop();
    }
}
