package dev.bulwark.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class OutbreakDetectorTest {
    private final SecurityStoreTest.MutableClock clock = new SecurityStoreTest.MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final List<SecurityEvent> events = new ArrayList<>();
    private final OutbreakDetector detector = new OutbreakDetector(
        new OutbreakSettings(Duration.ofMinutes(10), 3, 5, Duration.ofMinutes(30)), clock, events::add);

    @Test
    void moreThanTheThresholdOfOneVirusInTheWindowStartsAnOutbreakThatEndsAfterTheQuietPeriod() {
        for (int i = 0; i < 3; i++) {
            detector.detected(List.of("Worm.Test"));
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(detector.current()).isEmpty();

        detector.detected(List.of("Worm.Test"));

        assertThat(detector.current()).get().satisfies(outbreak -> {
            assertThat(outbreak.cause()).startsWith("4 detections of Worm.Test");
            assertThat(outbreak.since()).isEqualTo(clock.instant());
        });
        assertThat(events).extracting(SecurityEvent::kind).containsExactly("outbreak.started");

        clock.advance(Duration.ofMinutes(29));
        assertThat(detector.current()).isPresent();
        clock.advance(Duration.ofMinutes(1));
        assertThat(detector.current()).isEmpty();
        assertThat(events).extracting(SecurityEvent::kind).containsExactly("outbreak.started", "outbreak.ended");
    }

    @Test
    void detectionsOutsideTheWindowDoNotCount() {
        for (int i = 0; i < 10; i++) {
            detector.detected(List.of("Worm.Slow"));
            clock.advance(Duration.ofMinutes(4));
        }
        assertThat(detector.current()).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void manyDifferentVirusesTogetherCrossTheTotalThreshold() {
        for (int i = 0; i < 6; i++) {
            detector.detected(List.of("Virus." + i));
        }
        assertThat(detector.current()).get().extracting(OutbreakDetector.Outbreak::cause).asString().startsWith("6 detections in");
    }

    @Test
    void continuedDetectionsKeepTheOutbreakGoing() {
        for (int i = 0; i < 4; i++) {
            detector.detected(List.of("Worm.Test"));
        }
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofMinutes(2));
            for (int j = 0; j < 4; j++) {
                detector.detected(List.of("Worm.Test"));
            }
        }
        clock.advance(Duration.ofMinutes(20));
        assertThat(detector.current()).isPresent();
        assertThat(events).extracting(SecurityEvent::kind).containsExactly("outbreak.started");
    }

    @Test
    void changedThresholdsApplyToTheNextDetectionAndToTheWindowAlreadyCounted() {
        java.util.concurrent.atomic.AtomicReference<OutbreakSettings> settings = new java.util.concurrent.atomic.AtomicReference<>(
            new OutbreakSettings(Duration.ofMinutes(10), 3, 5, Duration.ofMinutes(30)));
        OutbreakDetector live = new OutbreakDetector(settings::get, clock, events::add);
        live.detected(List.of("Worm.Test"));
        live.detected(List.of("Worm.Test"));
        assertThat(live.current()).isEmpty();

        settings.set(new OutbreakSettings(Duration.ofMinutes(10), 1, 5, Duration.ofMinutes(30)));
        assertThat(live.settings().perVirus()).isEqualTo(1);
        live.detected(List.of("Worm.Test"));
        assertThat(live.current()).get().satisfies(outbreak -> assertThat(outbreak.cause()).startsWith("3 detections of Worm.Test")
            .contains("(threshold 1)"));

        // A shorter window forgets the older detections at once.
        clock.advance(Duration.ofMinutes(2));
        settings.set(new OutbreakSettings(Duration.ofMinutes(1), 1, 5, Duration.ofMinutes(30)));
        live.detected(List.of("Other.Test"));
        live.detected(List.of("Other.Test"));
        assertThat(live.current()).get().satisfies(outbreak -> assertThat(outbreak.detections()).containsOnlyKeys("Other.Test"));
    }
}
