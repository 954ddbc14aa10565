package dev.bulwark.extension.scanners;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

import dev.bulwark.security.SecurityEvent;

class SizeLimitCheckTest {
    private static XMLConfiguration smtp(String servers) throws Exception {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<smtpservers>" + servers + "</smtpservers>"));
        return configuration;
    }

    @Test
    void warnsForEverySmtpServerThatAcceptsMailOfAnySize() throws Exception {
        var warnings = SizeLimitCheck.check(smtp(
            "<smtpserver enabled=\"true\"><jmxName>smtp-in</jmxName><maxmessagesize>0</maxmessagesize></smtpserver>"
                + "<smtpserver enabled=\"true\"><jmxName>submission</jmxName><maxmessagesize>51200</maxmessagesize></smtpserver>"
                + "<smtpserver enabled=\"true\"><jmxName>small</jmxName><maxmessagesize>10240</maxmessagesize></smtpserver>"
                + "<smtpserver enabled=\"false\"><jmxName>off</jmxName><maxmessagesize>0</maxmessagesize></smtpserver>"
                + "<smtpserver enabled=\"true\"><jmxName>no-limit-given</jmxName></smtpserver>"),
            25L * 1024 * 1024);

        // Above clamd's limit but finite (submission): scanned by parts, nothing to warn about.
        assertThat(warnings).extracting(event -> event.details().get("smtpServer")).containsExactly("smtp-in", "no-limit-given");
        assertThat(warnings).extracting(SecurityEvent::kind).containsOnly("config.size-limit");
        assertThat(warnings.get(0).details().get("message")).contains("of any size").contains("26214400 bytes").contains("part by part")
            .contains("e.g. 35840");
        assertThat(warnings.get(0).details()).containsEntry("smtpLimit", "0");
    }

    @Test
    void readsKilobytesOrUnits() {
        assertThat(SizeLimitCheck.smtpLimit("100")).isEqualTo(102400);
        assertThat(SizeLimitCheck.smtpLimit("10M")).isEqualTo(10L * 1024 * 1024);
        assertThat(SizeLimitCheck.smtpLimit("0")).isZero();
    }
}
