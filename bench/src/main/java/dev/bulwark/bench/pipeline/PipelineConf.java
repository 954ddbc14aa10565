package dev.bulwark.bench.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a James working directory's {@code conf/} (and {@code extensions-jars/}) for one pipeline. James's
 * listeners come from {@code pipeline-conf/base/} (loopback, ports chosen by the system). Bulwark: every
 * top-level file of {@code james-conf/} as shipped, only the scanner addresses (and, for rspamd, the engine)
 * and the webadmin port set, and {@code bulwark.jar} installed. Stock and no scanning: the sample's mailetcontainer.xml with its root and
 * Bulwark-only processors replaced by {@code pipeline-conf/<pipeline>/processors.xml} (amavisd-new: no-scan's), everything after them
 * (error, transport, local delivery...) unchanged.
 */
final class PipelineConf {
    private static final List<String> BASE_FILES = List.of("smtpserver.xml", "imapserver.xml", "domainlist.xml",
        "usersrepository.xml", "dnsservice.xml");
    private static final String FIRST_JAMES_PROCESSOR = "        <processor state=\"error\"";

    private PipelineConf() {
    }

    static void write(Pipeline pipeline, Path workDir, Path repo, Daemons daemons) throws IOException {
        Path conf = Files.createDirectories(workDir.resolve("conf"));
        for (String file : BASE_FILES) {
            Files.writeString(conf.resolve(file), resource("base/" + file).replace("@SMTP_PORT@", "0").replace("@IMAP_PORT@", "0"));
        }
        Path jamesConf = repo.resolve("james-conf");
        switch (pipeline) {
            case BULWARK, BULWARK_RSPAMD -> {
                try (Stream<Path> files = Files.list(jamesConf)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(file, conf.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                setProperty(conf.resolve("bulwark.properties"), "clamd.endpoints", daemons.clamdAddress());
                setProperty(conf.resolve("bulwark.properties"), "spamd.endpoints", daemons.spamdAddress());
                if (pipeline == Pipeline.BULWARK_RSPAMD) {
                    if (!daemons.hasRspamd()) {
                        throw new IOException("the Bulwark+rspamd pipeline needs an rspamd (BULWARK_TEST_RSPAMD or the harness's own)");
                    }
                    setProperty(conf.resolve("bulwark.properties"), "spam.engine", "rspamd");
                    setProperty(conf.resolve("bulwark.properties"), "rspamd.endpoints", daemons.rspamdAddress());
                    // The same mail is spam-checked as with spamd (spamd.maxMessageSize=500K), not rspamd's 2M default.
                    setProperty(conf.resolve("bulwark.properties"), "rspamd.maxMessageSize", "500K");
                }
                setProperty(conf.resolve("webadmin.properties"), "port", "0");
                setProperty(conf.resolve("webadmin.properties"), "host", "127.0.0.1");
                // The sample's webadmin checks tokens with conf/jwt_publickey; the benchmark calls no route,
                // so a throwaway key (nobody holds its private half) lets James start as configured.
                Files.writeString(conf.resolve("jwt_publickey"), throwawayPublicKey());
                Path jar = repo.resolve("distribution/target/bulwark.jar");
                if (!Files.isRegularFile(jar)) {
                    throw new IOException(jar + " not found: build it first (mvn -DskipTests install)");
                }
                Path jars = Files.createDirectories(workDir.resolve("extensions-jars"));
                Files.copy(jar, jars.resolve("bulwark.jar"));
            }
            case STOCK -> {
                Files.writeString(conf.resolve("mailetcontainer.xml"), mailetContainer(jamesConf, "stock", daemons));
                Files.writeString(conf.resolve("mailrepositorystore.xml"), withoutBulwark(jamesConf.resolve("mailrepositorystore.xml")));
                Files.writeString(conf.resolve("extensions.properties"), resource("stock/extensions.properties"));
                Files.writeString(conf.resolve("spamassassin.properties"), fill(resource("stock/spamassassin.properties"), daemons));
            }
            // amavisd-new scans in front of James; James itself delivers without scanning.
            case NO_SCAN, AMAVISD -> {
                Files.writeString(conf.resolve("mailetcontainer.xml"), mailetContainer(jamesConf, "no-scan", daemons));
                Files.writeString(conf.resolve("mailrepositorystore.xml"), withoutBulwark(jamesConf.resolve("mailrepositorystore.xml")));
            }
        }
    }

    /**
     * The sample's repository store for a James without bulwark.jar: its file:// repository is Bulwark's
     * owner-only PrivateFileMailRepository, here James's own FileMailRepository it extends.
     */
    private static String withoutBulwark(Path repositoryStore) throws IOException {
        return Files.readString(repositoryStore).replace("dev.bulwark.extension.privacy.PrivateFileMailRepository",
            "org.apache.james.mailrepository.file.FileMailRepository");
    }

    private static String throwawayPublicKey() {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(generator.generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String mailetContainer(Path jamesConf, String pipeline, Daemons daemons) throws IOException {
        String sample = Files.readString(jamesConf.resolve("mailetcontainer.xml"));
        int processors = sample.indexOf("    <processors");
        int rootStart = sample.indexOf("        <processor state=\"root\"");
        int jamesStart = sample.indexOf(FIRST_JAMES_PROCESSOR);
        int commentStart = sample.indexOf("<!--");
        if (processors < 0 || rootStart < processors || jamesStart < rootStart || commentStart < 0 || commentStart > processors) {
            throw new IOException("james-conf/mailetcontainer.xml no longer has the layout the benchmark splices"
                + " (a leading comment, <processors>, root first, error after Bulwark's processors)");
        }
        String replacement = fill(resource(pipeline + "/processors.xml"), daemons);
        int ownCommentEnd = replacement.indexOf("-->") + 3;
        String ownComment = replacement.substring(0, ownCommentEnd);
        String ownProcessors = replacement.substring(ownCommentEnd).stripLeading();
        int commentEnd = sample.indexOf("-->", commentStart) + 3;
        String james = sample.substring(jamesStart).lines()
            // Bulwark's one-line steps in James's own processors (the canary's checkpoint in transport): without
            // bulwark.jar there is no such class, and no canary to check.
            .filter(line -> !(line.contains("<mailet ") && line.contains("\"dev.bulwark.") && line.strip().endsWith("/>")))
            .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        if (james.contains("=\"dev.bulwark.")) {
            throw new IOException("james-conf/mailetcontainer.xml has Bulwark steps after its Bulwark processors that the benchmark"
                + " cannot take out for the " + pipeline + " pipeline");
        }
        return sample.substring(0, commentStart) + ownComment + sample.substring(commentEnd, rootStart)
            + "        " + ownProcessors + "\n" + james;
    }

    private static String fill(String text, Daemons daemons) {
        return text.replace("@CLAMD_HOST@", daemons.clamdHost()).replace("@CLAMD_PORT@", Integer.toString(daemons.clamdPort()))
            .replace("@SPAMD_HOST@", daemons.spamdHost()).replace("@SPAMD_PORT@", Integer.toString(daemons.spamdPort()));
    }

    private static String resource(String name) {
        try (InputStream in = PipelineConf.class.getResourceAsStream("/pipeline-conf/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource pipeline-conf/" + name + " missing from the bench jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets {@code key=value} in a .properties file, replacing the key's line or appending one. */
    private static void setProperty(Path file, String key, String value) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        if (lines.stream().anyMatch(line -> line.startsWith(key + "="))) {
            lines.replaceAll(line -> line.startsWith(key + "=") ? key + "=" + value : line);
        } else {
            lines.add(key + "=" + value);
        }
        Files.write(file, lines);
    }
}
