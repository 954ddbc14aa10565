package dev.bulwark.matchers;

import org.apache.mailet.AttributeName;

/**
 * The mail attributes Bulwark's mailets set and its matchers read. Matchers decide on these attributes
 * only, never on headers, which a sender can forge.
 */
public final class BulwarkAttributes {
    /** CLEAN, INFECTED, SUSPICIOUS, UNSCANNABLE or ERROR. */
    public static final AttributeName VIRUS_STATUS = AttributeName.of("bulwark.virus.status");
    /** What the virus scanner found, comma separated (INFECTED and SUSPICIOUS only). */
    public static final AttributeName VIRUS_NAMES = AttributeName.of("bulwark.virus.names");
    /** Why the scan gave no answer (UNSCANNABLE and ERROR only). */
    public static final AttributeName VIRUS_REASON = AttributeName.of("bulwark.virus.reason");
    /** The clamd endpoint ({@code host:port}) that gave the verdict. */
    public static final AttributeName VIRUS_ENDPOINT = AttributeName.of("bulwark.virus.endpoint");
    /** The engine and signature version that gave the verdict. */
    public static final AttributeName VIRUS_ENGINE = AttributeName.of("bulwark.virus.engine");
    /**
     * How the message was scanned: {@code whole} (one clamd stream) or {@code parts} (over
     * clamd.maxStreamSize: each part its own stream).
     */
    public static final AttributeName VIRUS_SCAN_MODE = AttributeName.of("bulwark.virus.scanMode");
    /** The clamd streams the verdict rests on (Integer): 1 for a whole scan, the parts scanned otherwise. */
    public static final AttributeName VIRUS_SCANNED_PARTS = AttributeName.of("bulwark.virus.scannedParts");
    /** When the scan finished, ISO-8601. */
    public static final AttributeName VIRUS_SCAN_TIME = AttributeName.of("bulwark.virus.scanTime");

    /** What StripInfectedParts removed, each attachment with its reason. */
    public static final AttributeName REMOVED_PARTS = AttributeName.of("bulwark.virus.removedParts");

    /** HAM, SPAM, SKIPPED or ERROR. */
    public static final AttributeName SPAM_STATUS = AttributeName.of("bulwark.spam.status");
    /** SpamAssassin's score (Double). */
    public static final AttributeName SPAM_SCORE = AttributeName.of("bulwark.spam.score");
    /** The score from which spamd calls mail spam (Double). */
    public static final AttributeName SPAM_THRESHOLD = AttributeName.of("bulwark.spam.threshold");
    /** The SpamAssassin rules that hit, comma separated. */
    public static final AttributeName SPAM_SYMBOLS = AttributeName.of("bulwark.spam.symbols");
    /** Why the spam check gave no answer (ERROR only). */
    public static final AttributeName SPAM_REASON = AttributeName.of("bulwark.spam.reason");

    /**
     * On the pipeline canary's carriers only ({@code <carrier>/<round>}, e.g. {@code virus/3f2a...}): set by
     * Bulwark when it sends them, never from the network. Their events go to the canary watch, not to the
     * statistics; they are never kept in the quarantine, never notified about, never delivered.
     */
    public static final AttributeName CANARY = AttributeName.of("bulwark.canary");

    private BulwarkAttributes() {
    }
}
