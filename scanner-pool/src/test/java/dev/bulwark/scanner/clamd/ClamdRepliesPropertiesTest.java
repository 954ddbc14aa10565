package dev.bulwark.scanner.clamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;

import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.verdict.ScanVerdict;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * clamd INSTREAM replies: nothing but the exact shapes becomes CLEAN, INFECTED, SUSPICIOUS or UNSCANNABLE;
 * well-formed virus names come back unchanged; what a broken daemon sends never puts a control character
 * into a verdict.
 */
class ClamdRepliesPropertiesTest {
    private static final Endpoint CLAMD = new Endpoint("127.0.0.1", 3310);
    private static final String PREFIX = "stream: ";
    private static final String SUFFIX = " FOUND";
    private static final EnumSet<ScanVerdict.Status> NAMED = EnumSet.of(ScanVerdict.Status.INFECTED, ScanVerdict.Status.SUSPICIOUS);

    // ---- generators ----

    /** Printable ASCII mostly, with C0 controls, DEL, C1 controls and other BMP oddities (no surrogates). */
    private static Arbitrary<Integer> bmpCodePoints() {
        return Arbitraries.frequencyOf(
            Tuple.of(12, Arbitraries.integers().between(0x20, 0x7e)),
            Tuple.of(3, Arbitraries.integers().between(0x00, 0x1f)),
            Tuple.of(1, Arbitraries.just(0x7f)),
            Tuple.of(1, Arbitraries.of(0xa0, 0xe9, 0x416, 0x4e2d, 0x2028, 0xfeff, 0xfffd)));
    }

    /** C1 controls (U+0080..U+009F), e.g. NEL U+0085 and CSI U+009B. */
    private static Arbitrary<Integer> c1CodePoints() {
        return Arbitraries.integers().between(0x80, 0x9f);
    }

    /** Astral code points, among them those whose low 16 bits are a C0 control or DEL (U+1000A, U+E001B...). */
    private static Arbitrary<Integer> astralCodePoints() {
        Arbitrary<Integer> controlLow = Combinators.combine(Arbitraries.integers().between(1, 16),
            Arbitraries.of(0x00, 0x01, 0x07, 0x08, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f)).as((plane, low) -> plane * 0x10000 + low);
        return Arbitraries.oneOf(controlLow, Arbitraries.integers().between(0x10000, 0x10ffff), Arbitraries.of(0x1f600, 0x1d11e));
    }

    private static Arbitrary<String> text(Arbitrary<Integer> codePoints) {
        return codePoints.list().ofMaxSize(24).map(list -> new String(list.stream().mapToInt(Integer::intValue).toArray(), 0, list.size()));
    }

    /** Text in the neighbourhood of clamd's replies: its prefixes and suffixes around arbitrary bodies. */
    private static Arbitrary<String> shaped(Arbitrary<Integer> codePoints) {
        Arbitrary<String> prefixes = Arbitraries.of(PREFIX, PREFIX, PREFIX, "stream:", "", "1: stream: ", "Stream: ", "stream:  ");
        Arbitrary<String> suffixes = Arbitraries.of(SUFFIX, SUFFIX, SUFFIX, "", "FOUND", " OK", "OK", " ERROR", " FOUND\n", " FOUND ");
        return Combinators.combine(prefixes, text(codePoints), suffixes).as((prefix, body, suffix) -> prefix + body + suffix);
    }

    private static Arbitrary<String> exactShapes() {
        return Arbitraries.of("stream: OK", "INSTREAM size limit exceeded. ERROR", "stream: Eicar-Test-Signature FOUND",
            "stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND", "stream: (null) FOUND", "PONG", "1: stream: OK");
    }

    @Provide
    Arbitrary<String> replies() {
        Arbitrary<Integer> anyCodePoint = Arbitraries.frequencyOf(
            Tuple.of(6, bmpCodePoints()), Tuple.of(1, c1CodePoints()), Tuple.of(1, astralCodePoints()));
        return Arbitraries.oneOf(Arbitraries.strings(), shaped(anyCodePoint), exactShapes());
    }

    @Provide
    Arbitrary<String> bmpReplies() {
        return Arbitraries.oneOf(shaped(bmpCodePoints()), exactShapes());
    }

    @Provide
    Arbitrary<String> astralReplies() {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.integers().between(0x20, 0x7e)),
            Tuple.of(1, astralCodePoints()));
        return shaped(codePoints);
    }

    @Provide
    Arbitrary<String> c1Replies() {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.integers().between(0x20, 0x7e)),
            Tuple.of(1, c1CodePoints()));
        return shaped(codePoints);
    }

    /** Names as clamd prints them: dotted tokens, sometimes Heuristics.*, sometimes non-ASCII letters. */
    @Provide
    Arbitrary<String> virusNames() {
        Arbitrary<String> token = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
            .withChars('-', '_', '!', '(', ')', '/', '+', ':', '@', '#', '~', '\u00e9', '\u0416', '\u4e2d')
            .ofMinLength(1).ofMaxLength(16);
        Arbitrary<String> dotted = token.list().ofMinSize(1).ofMaxSize(5).map(parts -> String.join(".", parts));
        return Arbitraries.oneOf(
            dotted,
            dotted.map(name -> "Heuristics." + name),
            dotted.map(name -> name + "\ud83d\ude00"),
            Combinators.combine(dotted, dotted).as((a, b) -> a + " " + b),
            Arbitraries.of("(null)", "Eicar-Test-Signature", "Win.Test.EICAR_HDB-1", "OK", "FOUND"));
    }

    private static boolean hasControl(String text) {
        return text.codePoints().anyMatch(Character::isISOControl);
    }

    private static boolean hasC0OrDel(String text) {
        return text.codePoints().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    // ---- properties that hold ----

    @Property
    void cleanOnlyForExactlyStreamOk(@ForAll("replies") String reply) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(reply, CLAMD);
        if (verdict.status() == ScanVerdict.Status.CLEAN) {
            assertThat(reply).isEqualTo("stream: OK");
        }
    }

    @Property
    void unscannableOnlyForTheSizeLimitReply(@ForAll("replies") String reply) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(reply, CLAMD);
        if (verdict.status() == ScanVerdict.Status.UNSCANNABLE) {
            assertThat(reply).isEqualTo("INSTREAM size limit exceeded. ERROR");
        }
        if (verdict.status() == ScanVerdict.Status.ERROR || verdict.status() == ScanVerdict.Status.UNSCANNABLE) {
            assertThat(verdict.reason()).get().asString().isNotBlank();
        }
    }

    @Property
    void namedVerdictsOnlyForStreamNameFound(@ForAll("replies") String reply) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(reply, CLAMD);
        if (NAMED.contains(verdict.status())) {
            assertThat(reply).startsWith(PREFIX).endsWith(SUFFIX);
            String between = reply.substring(PREFIX.length(), reply.length() - SUFFIX.length());
            assertThat(between).isNotBlank();
            assertThat(verdict.names()).singleElement().asString().isNotEmpty().satisfies(name -> assertThat(between).contains(name));
        }
    }

    @Property
    void virusNamesRoundTrip(@ForAll("virusNames") String name) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(PREFIX + name + SUFFIX, CLAMD);
        boolean heuristic = name.startsWith("Heuristics.") || name.equals("(null)");
        assertThat(verdict.status()).isEqualTo(heuristic ? ScanVerdict.Status.SUSPICIOUS : ScanVerdict.Status.INFECTED);
        assertThat(verdict.names()).isEqualTo(List.of(name));
        assertThat(verdict.endpoint()).contains(CLAMD);
    }

    @Property
    void reasonsNeverContainC0ControlsOrDelForBmpText(@ForAll("bmpReplies") String reply) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(reply, CLAMD);
        assertThat(hasC0OrDel(verdict.reason().orElse(""))).as("reason %s", verdict.reason()).isFalse();
    }

    // ---- properties that once exposed bugs: astral code points, C1 controls, controls inside names ----

    @Property
    void reasonsNeverContainC0ControlsOrDelEvenFromAstralCodePoints(@ForAll("astralReplies") String reply) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(reply, CLAMD);
        assertThat(hasC0OrDel(verdict.reason().orElse(""))).as("reason %s", verdict.reason()).isFalse();
    }

    @Property
    void reasonsNeverContainC1Controls(@ForAll("c1Replies") String reply) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(reply, CLAMD);
        assertThat(hasControl(verdict.reason().orElse(""))).as("reason %s", verdict.reason()).isFalse();
    }

    @Property
    void namedVerdictsNeverComeFromNamesWithControlCharacters(@ForAll("replies") String reply) {
        ScanVerdict verdict = ClamdReplies.parseScanReply(reply, CLAMD);
        if (NAMED.contains(verdict.status())) {
            String between = reply.substring(PREFIX.length(), reply.length() - SUFFIX.length());
            assertThat(hasControl(between)).as("name in the reply %s", between).isFalse();
            assertThat(verdict.names()).noneMatch(ClamdRepliesPropertiesTest::hasControl);
        }
    }
}
