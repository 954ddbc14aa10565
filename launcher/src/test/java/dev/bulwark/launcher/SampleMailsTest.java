package dev.bulwark.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class SampleMailsTest {
    @Test
    void theVirusMailCarriesTheEicarTestFileThatClamdSignaturesMatch() throws Exception {
        // scripts/signatures/*.hdb: 44d88612fea8a8f36de82e1278abb02f:68:Bulwark-Test.EICAR
        assertThat(SampleMails.EICAR).hasSize(68);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(SampleMails.EICAR)))
            .isEqualTo("44d88612fea8a8f36de82e1278abb02f");
        assertThat(SampleMails.virus("carol@bulwark.test"))
            .contains("Subject: Your invoice\r\n", "filename=\"invoice.com\"",
                Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(SampleMails.EICAR));
    }

    @Test
    void theSpamMailCarriesGtube() {
        assertThat(SampleMails.GTUBE).startsWith("XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X").hasSize(68);
        assertThat(SampleMails.spam("bob@bulwark.test")).contains("Subject: You have won\r\n").endsWith("\r\n\r\n" + SampleMails.GTUBE + "\r\n");
    }

    @Test
    void theCleanMailIsPlainText() {
        assertThat(SampleMails.clean("alice@bulwark.test"))
            .startsWith("From: newsletter@example.com\r\nTo: alice@bulwark.test\r\nSubject: Lunch on Friday\r\n")
            .contains("Content-Type: text/plain; charset=us-ascii\r\n\r\nNoon at the usual place?\r\n");
    }
}
