package dev.bulwark.extension.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * How the console shows text from mail (dom.js's plain(), which every string the console puts on the
 * page goes through): one line, capped, control characters and bidirectional overrides neutralised.
 * Run in Node.js, Debian's nodejs (scripts/install-deps.sh), on the module exactly as the browser loads it.
 */
class ConsoleTextTest {
    private static final Path DOM = Path.of("src/main/resources/dev/bulwark/console/dom.js").toAbsolutePath();

    @Test
    void textFromMailIsShownOnOneLineWithoutInvisibleCharacters() throws Exception {
        String script = "import {plain, MAX_TEXT} from '" + DOM.toUri() + "';\n"
            + "const out = [\n"
            + "  plain('Invoice\\r\\nFake line\\u2028more\\ttab'),\n"
            + "  plain('photo\\u202Egnp.exe \\u2066x\\u2069 \\u200Bz'),\n"
            + "  plain('\\u001b[31mred\\u0000\\u009b'),\n"
            + "  String(plain('x'.repeat(MAX_TEXT + 10)).length),\n"
            + "  plain('r\\u00e9sum\\u00e9 \\u{1F600}'),\n"
            + "  plain(42),\n"
            + "];\n"
            + "process.stdout.write(JSON.stringify(out));\n";
        Process node = new ProcessBuilder(List.of("node", "--input-type=module", "-e", script)).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as("node (Debian package nodejs): " + output).isZero();
        assertThat(output).isEqualTo("[\"Invoice Fake line more tab\",\"photo\uFFFDgnp.exe \uFFFDx\uFFFD \uFFFDz\","
            + "\"\uFFFD[31mred\uFFFD\uFFFD\",\"1001\",\"r\u00e9sum\u00e9 \uD83D\uDE00\",\"42\"]");
    }
}
