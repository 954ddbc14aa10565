package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Text from mail cannot forge a log line, recolour a terminal or reorder what is read. */
class LogTextTest {
    @Test
    void lineBreaksAndEscapesBecomeVisibleEscapes() {
        String forged = "invoice.pdf\r\n2026-12-01 10:00:00 INFO  Quarantine released all entries";
        assertThat(LogText.of(forged)).isEqualTo("invoice.pdf\\r\\n2026-12-01 10:00:00 INFO  Quarantine released all entries")
            .doesNotContain("\n").doesNotContain("\r");
        assertThat(LogText.of("\u001b[2J\u001b[31mred")).isEqualTo("\\u001b[2J\\u001b[31mred");
        assertThat(LogText.of("photo\u202Egnp.exe")).isEqualTo("photo\\u202egnp.exe");
        assertThat(LogText.of("a\u2028b\u0085c\u009bd\u0000e\tf")).isEqualTo("a\\u2028b\\u0085c\\u009bd\\u0000e\\tf");
        assertThat(LogText.of("back\\slash")).isEqualTo("back\\\\slash");
        assertThat(LogText.of("\uD800 lone")).isEqualTo("\\ud800 lone");
        assertThat(LogText.of("r\u00e9sum\u00e9 \uD83D\uDE00")).isEqualTo("r\u00e9sum\u00e9 \uD83D\uDE00");
    }

    @Test
    void longValuesAreCappedAndListsEscapedItemByItem() {
        assertThat(LogText.of("x".repeat(LogText.MAX + 50))).hasSize(LogText.MAX + "...(50 more)".length()).endsWith("...(50 more)");
        assertThat(LogText.of((Object) List.of("a@x.test", "b\n@x.test"))).isEqualTo("[a@x.test, b\\n@x.test]");
        assertThat(LogText.of((String) null)).isEqualTo("null");
    }
}
