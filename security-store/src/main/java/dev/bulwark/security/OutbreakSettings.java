package dev.bulwark.security;

import java.time.Duration;

/**
 * When detections make an outbreak.
 *
 * @param window      the sliding window detections are counted in
 * @param perVirus    more than this many detections of one virus name in the window start an outbreak
 * @param total       more than this many detections of any viruses in the window start an outbreak
 * @param quietPeriod an outbreak ends when no threshold has been crossed for this long
 */
public record OutbreakSettings(Duration window, int perVirus, int total, Duration quietPeriod) {
    public static final OutbreakSettings DEFAULT = new OutbreakSettings(Duration.ofMinutes(10), 10, 50, Duration.ofMinutes(30));

    public OutbreakSettings {
        if (window.isNegative() || window.isZero() || quietPeriod.isNegative() || perVirus < 1 || total < 1) {
            throw new IllegalArgumentException("outbreak window and quiet period must be positive, thresholds at least 1");
        }
    }
}
