package dev.bulwark.matchers.attachments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import dev.bulwark.matchers.testing.HostileMime;

/**
 * The hostile corpus against the attachment check, parsed as James parses received mail: every sample
 * that hides an executable behind malformed or unusual MIME is banned (its executable found, or the part
 * hiding it called uninspectable), and honest unusual mail passes with nothing recorded.
 */
class MalformedMimeTest {
    private static final AttachmentInspector DEFAULT = new AttachmentInspector(AttachmentPolicy.DEFAULT);

    @TestFactory
    Stream<DynamicTest> everyHostileSampleIsBanned() {
        List<HostileMime.Sample> samples = HostileMime.hostile("mallory@outside.test", "bob@bulwark.test");
        assertThat(samples).hasSizeGreaterThanOrEqualTo(20);
        return samples.stream().map(sample -> DynamicTest.dynamicTest(sample.kind(), () -> {
            AttachmentInspector.Report report = DEFAULT.report(parse(sample));
            assertThat(report.banned()).as(sample.kind() + ": " + report).isNotEmpty();
        }));
    }

    @TestFactory
    Stream<DynamicTest> honestUnusualMailPasses() {
        return HostileMime.benign("alice@outside.test", "bob@bulwark.test").stream().map(sample -> DynamicTest.dynamicTest(sample.kind(), () -> {
            AttachmentInspector.Report report = DEFAULT.report(parse(sample));
            assertThat(report.banned()).as(sample.kind()).isEmpty();
            assertThat(report.suspicious()).as(sample.kind()).isEmpty();
            assertThat(report.uninspected()).as(sample.kind()).isEmpty();
        }));
    }

    static MimeMessage parse(HostileMime.Sample sample) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(sample.bytes()));
    }
}
