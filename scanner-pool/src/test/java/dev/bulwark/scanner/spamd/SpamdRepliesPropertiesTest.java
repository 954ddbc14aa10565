package dev.bulwark.scanner.spamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.SpamVerdict;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** spamd replies: garbage never becomes HAM, and well-formed replies keep their numbers and symbols. */
class SpamdRepliesPropertiesTest {
    private static final Endpoint SPAMD = new Endpoint("127.0.0.1", 783);

    @Property
    void arbitraryTextIsNeverHamOrSpamUnlessItHasSpamdsShape(@ForAll String reply) {
        SpamVerdict verdict = SpamdReplies.parse(SpamdCommand.SYMBOLS, reply, SPAMD);
        if (verdict.status() != SpamVerdict.Status.ERROR) {
            assertThat(reply).startsWith("SPAMD/").contains("\r\n\r\n").containsIgnoringCase("Spam: ");
        }
        assertThat(verdict.reason().orElse("")).doesNotContainPattern("[\\x00-\\x1f]");
    }

    @Provide
    Arbitrary<List<String>> symbols() {
        return Arbitraries.strings().withCharRange('A', 'Z').withChars('_', '0', '9').ofMinLength(1).ofMaxLength(20)
            .list().ofMaxSize(10);
    }

    @Property
    void wellFormedRepliesRoundTrip(@ForAll boolean spam, @ForAll("scores") double score, @ForAll("scores") double threshold,
                                    @ForAll("symbols") List<String> symbols) {
        String reply = "SPAMD/1.1 0 EX_OK\r\nContent-length: 1\r\nSpam: " + (spam ? "True" : "False") + " ; "
            + String.format(Locale.ROOT, "%.1f", score) + " / " + String.format(Locale.ROOT, "%.1f", threshold) + "\r\n\r\n"
            + String.join(",", symbols);
        SpamVerdict verdict = SpamdReplies.parse(SpamdCommand.SYMBOLS, reply, SPAMD);
        assertThat(verdict.isSpam()).isEqualTo(spam);
        assertThat(verdict.score()).isEqualTo(Double.parseDouble(String.format(Locale.ROOT, "%.1f", score)));
        assertThat(verdict.symbols()).containsExactlyElementsOf(symbols);
    }

    @Provide
    Arbitrary<Double> scores() {
        return Arbitraries.doubles().between(-100, 2000).ofScale(1);
    }

    @Property
    void anyNonZeroStatusIsAnError(@ForAll("codes") int code) {
        SpamVerdict verdict = SpamdReplies.parse(SpamdCommand.CHECK, "SPAMD/1.1 " + code + " EX_SOMETHING\r\nSpam: True ; 1.0 / 5.0\r\n\r\n", SPAMD);
        assertThat(verdict.status()).isEqualTo(SpamVerdict.Status.ERROR);
    }

    @Provide
    Arbitrary<Integer> codes() {
        return Arbitraries.integers().between(1, 99);
    }
}
