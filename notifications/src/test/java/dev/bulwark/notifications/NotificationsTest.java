package dev.bulwark.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotificationsTest {
    private static final Map<String, Object> VALUES = Map.of("reason", "virus", "virusNames", "Eicar-Test", "sender", "mallory@evil.test",
        "recipients", "bob@example.com", "subject", "<b>Invoice</b>\r\nBcc: everyone@example.com", "messageId", "<m1@evil.test>",
        "remoteAddress", "192.0.2.7", "quarantineId", "q-1", "webadminPath", "/bulwark/quarantine/q-1");

    @TempDir
    Path dir;

    @Test
    void defaultTemplatesRenderAsPlainTextWithAOneLineSubject() {
        NoticeTemplates templates = new NoticeTemplates(Set.of("en", "de"), Optional.empty());

        Notice admin = templates.render("en", NoticeKind.ADMIN, VALUES);
        assertThat(admin.subject()).isEqualTo("[Bulwark] virus: mail from mallory@evil.test quarantined");
        assertThat(admin.body()).contains("Verdict:      virus (Eicar-Test)").contains("Quarantine:   q-1")
            .contains("POST /bulwark/quarantine/q-1/release").contains("<b>Invoice</b>").doesNotContain("&lt;");

        Notice recipient = templates.render("en", NoticeKind.RECIPIENT, VALUES);
        assertThat(recipient.subject()).startsWith("A message for you was withheld: <b>Invoice</b>").doesNotContain("\r").doesNotContain("\n");
        assertThat(templates.render("de", NoticeKind.SENDER, VALUES).subject()).startsWith("Ihre Nachricht wurde nicht zugestellt");
        assertThat(templates.render("en", NoticeKind.SENDER, VALUES).body()).contains("Nothing of your message is attached");
    }

    @Test
    void heldMailNoticesSayHeldAndHowToReleaseItUnscanned() {
        NoticeTemplates templates = new NoticeTemplates(Set.of("en", "de"), Optional.empty());
        Map<String, Object> held = new java.util.HashMap<>(VALUES);
        held.remove("virusNames");
        held.put("reason", "unscannable");
        held.put("held", true);
        held.put("heldReason", "part 2 (application/octet-stream \"disk.iso\", 27262976 bytes) is over clamd's stream limit");

        Notice admin = templates.render("en", NoticeKind.ADMIN, held);
        assertThat(admin.subject()).isEqualTo("[Bulwark] unscannable: mail from mallory@evil.test held");
        assertThat(admin.body()).startsWith("Bulwark is holding a message that no virus scanner could judge (part 2 (application/octet-stream")
            .contains("Release it unscanned:     POST /bulwark/quarantine/q-1/release with {\"unscanned\": true, \"reason\": \"why\"}")
            .doesNotContain("kept a message out").doesNotContain("&quot;").doesNotContain("\r\n\r\n\r\n");
        assertThat(templates.render("de", NoticeKind.ADMIN, held).subject()).isEqualTo("[Bulwark] unscannable: Nachricht von mallory@evil.test zurückgehalten");
        assertThat(templates.render("en", NoticeKind.ADMIN, VALUES).body()).startsWith("Bulwark kept a message out of the mailboxes.")
            .doesNotContain("unscanned");
    }

    @Test
    void anOverrideReplacesOneTemplate() throws Exception {
        Files.createDirectories(dir.resolve("en"));
        Files.writeString(dir.resolve("en/admin.mustache"), "Subject: Our own {{reason}}\n\nCustom body for {{quarantineId}}\n");
        NoticeTemplates templates = new NoticeTemplates(Set.of("en"), Optional.of(dir));

        assertThat(templates.render("en", NoticeKind.ADMIN, VALUES)).isEqualTo(new Notice("Our own virus", "Custom body for q-1\r\n"));
        assertThat(templates.render("en", NoticeKind.RECIPIENT, VALUES).subject()).startsWith("A message for you was withheld");
    }

    @Test
    void aBrokenTemplateNamesItsFileAndLine() throws Exception {
        Files.createDirectories(dir.resolve("en"));
        Files.writeString(dir.resolve("en/sender.mustache"), "Subject: x\n\nline two\n{{#open}} never closed\n");

        assertThatThrownBy(() -> new NoticeTemplates(Set.of("en"), Optional.of(dir)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("en/sender.mustache").hasMessageContaining(":4");
        assertThatThrownBy(() -> new NoticeTemplates(Set.of("fr"), Optional.empty())).hasMessageContaining("no template fr/admin.mustache");
    }

    @Test
    void theGuardRefusesEverySenderThatMayBeForged() {
        BackscatterGuard guard = new BackscatterGuard(BackscatterGuard.DEFAULT_FORGING_VIRUSES);
        BackscatterGuard.Facts authenticated = new BackscatterGuard.Facts(Optional.of("alice@example.com"), true, false, Optional.empty(), false,
            Optional.empty(), List.of("Eicar-Test"));

        assertThat(guard.refusal(authenticated)).isEmpty();
        assertThat(guard.refusal(new BackscatterGuard.Facts(Optional.of("x@partner.test"), false, true, Optional.empty(), false, Optional.empty(), List.of())))
            .as("from an authorised network").isEmpty();
        // a local address proves nothing: MAIL FROM is the sender's to choose
        assertThat(guard.refusal(new BackscatterGuard.Facts(Optional.of("alice@example.com"), false, false, Optional.empty(), false, Optional.empty(),
            List.of()))).contains("sender alice@example.com neither authenticated nor in an authorised network (it may be forged)");
        assertThat(guard.refusal(new BackscatterGuard.Facts(Optional.empty(), true, false, Optional.empty(), false, Optional.empty(), List.of())))
            .contains("null sender");
        assertThat(guard.refusal(new BackscatterGuard.Facts(Optional.of("a@example.com"), true, false, Optional.of("Bulk"), false, Optional.empty(), List.of())))
            .contains("Precedence: Bulk");
        assertThat(guard.refusal(new BackscatterGuard.Facts(Optional.of("a@example.com"), true, false, Optional.empty(), true, Optional.empty(), List.of())))
            .get().asString().contains("List-Id");
        assertThat(guard.refusal(new BackscatterGuard.Facts(Optional.of("a@example.com"), true, false, Optional.empty(), false, Optional.of("auto-replied"), List.of())))
            .get().asString().contains("auto-submitted");
        assertThat(guard.refusal(new BackscatterGuard.Facts(Optional.of("a@example.com"), true, false, Optional.empty(), false, Optional.of("no"), List.of())))
            .isEmpty();
        assertThat(guard.refusal(new BackscatterGuard.Facts(Optional.of("a@example.com"), true, false, Optional.empty(), false, Optional.empty(),
            List.of("Win.Worm.Mydoom-12")))).get().asString().contains("forges senders");
    }

    @Test
    void valuesFromTheMailStayOnOneLineWhateverTheTemplate() throws Exception {
        Files.createDirectories(dir.resolve("en"));
        Files.writeString(dir.resolve("en/sender.mustache"), "Subject: {{subject}}\n\nAbout: {{subject}}\nSender: {{sender}}\n");
        NoticeTemplates templates = new NoticeTemplates(Set.of("en"), Optional.of(dir));
        Map<String, Object> values = new java.util.HashMap<>(VALUES);
        values.put("subject", "Hello\r\nLog in at http://phish.example/\u2028now \u202Egnp.exe \u001b[31mred" + "x".repeat(500));

        Notice notice = templates.render("en", NoticeKind.SENDER, values);
        assertThat(notice.body().split("\r\n")).hasSize(2);
        assertThat(notice.body()).startsWith("About: Hello Log in at http://phish.example/ now \uFFFDgnp.exe \uFFFD[31mredxxx")
            .doesNotContain("\u202E").doesNotContain("\u001b");
        assertThat(notice.subject()).startsWith("Hello Log in at").endsWith("\u2026");
        assertThat(notice.subject().codePointCount(0, notice.subject().length())).isEqualTo(NoticeText.MAX + 1);
    }

    @Test
    void noticeTextNeutralisesEveryInvisibleCharacter() {
        assertThat(NoticeText.oneLine("a\tb\u000bc\u0085d\u2029e")).isEqualTo("a b c d e");
        assertThat(NoticeText.oneLine("x\u200By\u2066z\u0000\u009b")).isEqualTo("x\uFFFDy\uFFFDz\uFFFD\uFFFD");
        assertThat(NoticeText.oneLine("  padded  ")).isEqualTo("padded");
        assertThat(NoticeText.oneLine("\uD83D\uDE00 smile", 3)).isEqualTo("\uD83D\uDE00 s\u2026");
        assertThat(NoticeText.oneLine(null)).isEmpty();
    }

    @Test
    void theRateLimitHoldsBackTheBurstAndDigestsItAfterwards() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
        NoticeRateLimiter limiter = new NoticeRateLimiter(3, Duration.ofMinutes(1), clock);
        int sent = 0;
        for (int i = 0; i < 200; i++) {
            NoticeRateLimiter.Decision decision = limiter.attempt("admin@example.com", "q-" + i);
            sent += decision.send() ? 1 : 0;
            assertThat(decision.digest()).isEmpty();
        }
        assertThat(sent).isEqualTo(3);
        assertThat(limiter.attempt("other@example.com", "x").send()).as("per target").isTrue();

        clock.advance(Duration.ofMinutes(1));
        NoticeRateLimiter.Decision next = limiter.attempt("admin@example.com", "q-200");
        assertThat(next.send()).isTrue();
        assertThat(next.digest()).get().asList().hasSize(197).startsWith("q-3");
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
