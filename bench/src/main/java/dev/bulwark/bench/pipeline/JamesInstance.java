package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.modules.protocols.ImapGuiceProbe;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.mailet.Mail;

/**
 * A James 3.8.1 memory server in this JVM, on a fresh working directory, with the corpus's users: the tracked
 * recipient and {@link Corpus#OTHER_USERS} others.
 */
final class JamesInstance implements AutoCloseable {
    static final String DOMAIN = "bulwark.test";
    static final String RECIPIENT = "bench@" + DOMAIN;
    static final String PASSWORD = "secret";
    /** Where both scanning pipelines keep infected mail (Bulwark: quarantine.repository; stock: ToRepository). */
    static final MailRepositoryUrl QUARANTINE = MailRepositoryUrl.from("file://var/mail/quarantine/");

    private final GuiceJamesServer server;
    private final Path workDir;

    private JamesInstance(GuiceJamesServer server, Path workDir) {
        this.server = server;
        this.workDir = workDir;
    }

    static JamesInstance start(Pipeline pipeline, Path repo, Daemons daemons) throws Exception {
        return start(pipeline, repo, daemons, conf -> { });
    }

    /** @param confEdits changes to the written conf/ folder before James starts */
    static JamesInstance start(Pipeline pipeline, Path repo, Daemons daemons, java.util.function.Consumer<Path> confEdits) throws Exception {
        Path workDir = Files.createTempDirectory("bulwark-bench-james-" + pipeline.code() + ".");
        try {
            PipelineConf.write(pipeline, workDir, repo, daemons);
            confEdits.accept(workDir.resolve("conf"));
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
            JamesInstance james = new JamesInstance(server, workDir);
            DataProbeImpl data = server.getProbe(DataProbeImpl.class);
            data.addDomain(DOMAIN);
            data.addUser(RECIPIENT, PASSWORD);
            for (String user : Corpus.otherUsers()) {
                data.addUser(user, PASSWORD);
            }
            return james;
        } catch (Exception | Error e) {
            deleteRecursively(workDir);
            throw e;
        }
    }

    int smtpPort() {
        return server.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    int webAdminPort() {
        return server.getProbe(org.apache.james.utils.WebAdminGuiceProbe.class).getWebAdminPort().getValue();
    }

    int imapPort() {
        return server.getProbe(ImapGuiceProbe.class).getImapPort();
    }

    /** New entries of the quarantine repository, read in-process (the repository James itself writes). */
    OutcomeTracker.QuarantineView quarantine() {
        MailRepositoryProbeImpl repositories = server.getProbe(MailRepositoryProbeImpl.class);
        Set<MailKey> known = new HashSet<>();
        return () -> {
            List<String> tokens = new ArrayList<>();
            for (MailKey key : repositories.listMailKeys(QUARANTINE)) {
                if (known.contains(key)) {
                    continue;
                }
                Mail mail;
                try {
                    mail = repositories.getMail(QUARANTINE, key);
                } catch (Exception stillBeingWritten) {
                    // The repository is storing it right now (its lock is taken): read it at the next poll.
                    continue;
                }
                if (mail != null) {
                    known.add(key);
                    String subject = mail.getMessage().getSubject();
                    tokens.add(subject == null ? "" : subject.split(" ", 2)[0]);
                }
            }
            return tokens;
        };
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            deleteRecursively(workDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir, e);
        }
    }
}
