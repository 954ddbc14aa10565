package dev.bulwark.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfFolderTest {
    @TempDir
    Path dir;

    private Path jamesConf() throws Exception {
        Path jamesConf = Files.createDirectories(dir.resolve("james-conf"));
        Files.writeString(jamesConf.resolve("bulwark.properties"), "# sample\nclamd.endpoints=clamd:3310\nspamd.endpoints=spamd:783\n");
        Files.createDirectories(jamesConf.resolve("smtp-time-rejection"));
        Files.writeString(jamesConf.resolve("smtp-time-rejection/smtpserver.xml"), "<optional/>");
        return jamesConf;
    }

    @Test
    void writesJamesListenersOnTheGivenPortsAndCopiesTheSampleFilesButNotItsSubFolders() throws Exception {
        ConfFolder conf = ConfFolder.create(dir.resolve("work"), jamesConf(), new BulwarkJames.Ports(2525, 1143, 8000));

        assertThat(Files.readString(conf.file("smtpserver.xml"))).contains("<bind>127.0.0.1:2525</bind>").doesNotContain("@SMTP_PORT@");
        assertThat(Files.readString(conf.file("imapserver.xml"))).contains("127.0.0.1:1143").doesNotContain("@IMAP_PORT@");
        assertThat(conf.file("domainlist.xml")).exists();
        assertThat(Files.readString(conf.file("bulwark.properties"))).contains("clamd.endpoints=clamd:3310");
        assertThat(conf.file("smtp-time-rejection")).doesNotExist();
    }

    @Test
    void setPropertyReplacesTheKeysLineOrAppendsOne() throws Exception {
        ConfFolder conf = ConfFolder.create(dir.resolve("work"), jamesConf(), BulwarkJames.Ports.ANY);

        conf.setProperty("bulwark.properties", "clamd.endpoints", "127.0.0.1:3311")
            .setProperty("bulwark.properties", "rescan.interval", "1s");

        assertThat(Files.readAllLines(conf.file("bulwark.properties")))
            .containsExactly("# sample", "clamd.endpoints=127.0.0.1:3311", "spamd.endpoints=spamd:783", "rescan.interval=1s");
    }

    @Test
    void replaceFailsWhenTheTextIsNotThere() throws Exception {
        ConfFolder conf = ConfFolder.create(dir.resolve("work"), jamesConf(), BulwarkJames.Ports.ANY);

        assertThatThrownBy(() -> conf.replace("bulwark.properties", "no such text", "x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("bulwark.properties does not contain no such text");
    }
}
