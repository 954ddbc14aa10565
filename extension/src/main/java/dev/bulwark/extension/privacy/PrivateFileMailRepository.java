package dev.bulwark.extension.privacy;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.file.FileMailRepository;
import org.apache.mailet.Mail;

/**
 * James's {@code file://} mail repository, owner-only: its folder is {@code rwx------} and every mail
 * file {@code rw-------}, whatever the process's umask. Quarantined and held mail is personal mail that
 * nobody was allowed to read yet; other accounts on the machine must not read it either. Named for the
 * {@code file} protocol in mailrepositorystore.xml (docs/SECURITY.md).
 *
 * <p>James writes a mail as two files named from the key (hex of its bytes, then
 * {@code .Repository.FileObjectStore} and {@code .Repository.FileStreamStore}, James 3.8.1's
 * {@code AbstractFileRepository}); they are restricted right after the store. Until then they lie in the
 * owner-only folder, which no other account can enter.
 */
public class PrivateFileMailRepository extends FileMailRepository {
    private static final List<String> EXTENSIONS = List.of(".Repository.FileObjectStore", ".Repository.FileStreamStore");

    private FileSystem fileSystem;
    private String destination;
    private Path folder;

    @Override
    @Inject
    public void setFileSystem(FileSystem fileSystem) {
        super.setFileSystem(fileSystem);
        this.fileSystem = fileSystem;
    }

    @Override
    public void configure(HierarchicalConfiguration<ImmutableNode> config) {
        super.configure(config);
        this.destination = config.getString("[@destinationURL]");
    }

    @Override
    public void init() throws Exception {
        // Owner-only before James creates anything in it; files of an older installation are fixed too.
        folder = OwnerOnly.folder(fileSystem.getFileWithinBaseDir(destination).toPath());
        super.init();
        OwnerOnly.filesIn(folder);
    }

    @Override
    public MailKey store(Mail mail) throws MessagingException {
        MailKey key = super.store(mail);
        try {
            String prefix = HexFormat.of().withUpperCase().formatHex(key.asString().getBytes(Charset.defaultCharset()));
            for (String extension : EXTENSIONS) {
                OwnerOnly.existingFile(folder.resolve(prefix + extension));
            }
        } catch (IOException e) {
            throw new MessagingException("stored " + key.asString() + " in " + folder + " but could not make it owner-only", e);
        }
        return key;
    }
}
