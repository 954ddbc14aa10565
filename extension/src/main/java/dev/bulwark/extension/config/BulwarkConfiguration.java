package dev.bulwark.extension.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.util.DurationParser;
import org.apache.james.util.Size;

import dev.bulwark.scanner.clamd.ClamdPoolConfig;
import dev.bulwark.scanner.endpoint.Endpoint;
import dev.bulwark.scanner.endpoint.WeightedEndpoint;
import dev.bulwark.scanner.rspamd.RspamdPoolConfig;
import dev.bulwark.scanner.spamd.SpamdClientConfig;
import dev.bulwark.scanner.spamd.SpamdPoolConfig;
import dev.bulwark.scanner.wire.ScannerTimeouts;

/**
 * bulwark.properties, parsed once at start-up into an immutable value. Every key may be overridden by
 * an environment variable {@code BULWARK_<KEY>} (upper case, dots as underscores), so that containers
 * can point the same file at their own scanners. Unknown keys and bad values are start-up errors, each
 * one line naming the file, the key and what is expected. Reference: docs/configuration.md.
 */
public record BulwarkConfiguration(ClamdPoolConfig clamd, Spam spam, boolean requireScannersAtStartup, Rescan rescan,
                                   Quarantine quarantine, Store store, Seeds seeds, Watch watch,
                                   dev.bulwark.security.OutbreakSettings outbreak, Discovery discovery, WebAdmin webAdmin, Mailbox mailbox,
                                   Canary canary, Learning learning) {

    /**
     * The spam engine the mailets check with, and its pool's settings. Only the chosen engine's pool is built; the
     * other engine's keys, when present, are still checked at start-up but not used.
     *
     * @param engine            {@code spam.engine}
     * @param spamd             spamd's pool, when {@code spamd.endpoints} is set (required for spamd)
     * @param rspamd            rspamd's pool, when {@code rspamd.endpoints} is set (required for rspamd)
     * @param rspamdControllers rspamd's controller endpoints ({@code rspamd.controllerEndpoints}, by default port 11334 of each
     *                          rspamd host), for learning; empty only without rspamd
     */
    public record Spam(SpamEngine engine, Optional<SpamdPoolConfig> spamd, Optional<RspamdPoolConfig> rspamd, List<Endpoint> rspamdControllers) {
        public Spam {
            Objects.requireNonNull(engine, "engine");
            rspamdControllers = List.copyOf(rspamdControllers);
            if (engine == SpamEngine.SPAMD && spamd.isEmpty()) {
                throw new IllegalArgumentException("spam.engine is spamd but there is no spamd pool");
            }
            if (engine == SpamEngine.RSPAMD && rspamd.isEmpty()) {
                throw new IllegalArgumentException("spam.engine is rspamd but there is no rspamd pool");
            }
        }

        public static Spam spamd(SpamdPoolConfig spamd) {
            return new Spam(SpamEngine.SPAMD, Optional.of(spamd), Optional.empty(), List.of());
        }
    }

    /** {@code spam.engine}: which daemon checks mail for spam. */
    public enum SpamEngine {
        SPAMD, RSPAMD;

        /** As it is written in bulwark.properties and as the pool's daemon is named. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** spamd's pool settings; only when {@code spam.engine} is spamd. */
    public SpamdPoolConfig spamd() {
        return spam.spamd().orElseThrow(() -> new IllegalStateException("spam.engine is " + spam.engine().key() + ", not spamd"));
    }

    /**
     * What Bulwark's webadmin routes accept besides webadmin.properties (docs/SECURITY.md).
     *
     * @param allowedOrigins       origins, besides webadmin's own and {@code cors.origin}, whose browser pages may call
     *                             webadmin; their host names are accepted in the {@code Host} header
     * @param allowUnauthenticated the explicit opt-in to serving Bulwark's routes with webadmin's JWT authentication off
     */
    public record WebAdmin(List<WebOrigin> allowedOrigins, boolean allowUnauthenticated) {
        public static final WebAdmin DEFAULT = new WebAdmin(List.of(), false);
    }

    /**
     * Store-level scanning (the mailbox listener of listeners.xml, and the on-demand mailbox scan).
     *
     * @param attachmentPolicy which attachments are banned in mailboxes, in HasBannedAttachment's condition syntax;
     *                         empty: its defaults; {@code none}: no attachment check
     * @param noticeProcessor  the processor a message taken out of a mailbox goes through for its notices (the
     *                         pipeline's quarantine processor); {@code none}: no notices
     * @param stampKey         the scan stamp's key (base64, at least 32 bytes); empty: one made once and shared by every
     *                         node through the security store
     * @param scanRate         messages per second an on-demand mailbox scan reads at most
     * @param takeOutsPerOwnerPerDay     messages one owner's arrivals may move into the quarantine in a day (24 hours from
     *                                   the first); past it, or past the bytes, infected content is deleted without a copy
     * @param takeOutBytesPerOwnerPerDay bytes one owner's arrivals may move into the quarantine in a day
     */
    public record Mailbox(Optional<String> attachmentPolicy, String noticeProcessor, Optional<String> stampKey, int scanRate,
                          int takeOutsPerOwnerPerDay, long takeOutBytesPerOwnerPerDay) {
        public static final String NONE = "none";
        public static final Mailbox DEFAULT = new Mailbox(Optional.empty(), "quarantine", Optional.empty(), 50, 200, 200L * 1024 * 1024);

        public boolean notices() {
            return !noticeProcessor.equals(NONE);
        }
    }

    /**
     * The pipeline canary.
     *
     * @param interval  how often carriers are sent through the spool; zero: never
     * @param deadline  how long a round waits for each carrier's fate before calling it missed
     * @param recipient where carriers are addressed (a local address that is no user); empty: bulwark-canary@ James's default domain
     */
    public record Canary(Duration interval, Duration deadline, Optional<String> recipient) {
        public static final Canary DEFAULT = new Canary(Duration.ofMinutes(5), Duration.ofMinutes(1), Optional.empty());

        public boolean enabled() {
            return !interval.isZero();
        }
    }

    /**
     * Learning from users: a message moved or copied into a junk mailbox is learned as spam, one moved out of it
     * as ham (the listener of listeners.xml), and a false positive released with {@code learnAsHam} as ham.
     *
     * @param enabled          whether the listener teaches anything (it must also be in listeners.xml)
     * @param junkMailboxes    mailbox names taken for the junk mailbox, compared without case, the whole name or its
     *                         last part ({@code INBOX.Junk}); James's own spam role ({@code Spam}) always counts
     * @param queueSize        lessons waiting for an engine at most; more are refused and reported, never waited for
     * @param maxMessageSize   messages larger than this are not taught (reported)
     * @param perUserPerMinute lessons one user may give in a minute; more are refused and reported
     * @param perUserPerDay    lessons one user may give in a day (24 hours from their first lesson); more are refused
     *                         and reported: what one user can teach everyone's filter stays bounded
     * @param hamAfter         messages read and kept this long (since they arrived) outside junk, trash, sent, drafts
     *                         and outbox are learned as ham, once; zero: never (the default: a user who reads a spam and
     *                         leaves it would teach it as ham)
     * @param hamScanInterval  how often mailboxes are looked through for such messages
     */
    public record Learning(boolean enabled, List<String> junkMailboxes, int queueSize, long maxMessageSize, int perUserPerMinute,
                           int perUserPerDay, Duration hamAfter, Duration hamScanInterval) {
        public static final Learning DEFAULT = new Learning(true, List.of("Junk", "Spam", "Junk E-Mail", "Bulk Mail"), 1000,
            500L * 1024, 120, 500, Duration.ZERO, Duration.ofHours(1));

        public Learning {
            junkMailboxes = List.copyOf(junkMailboxes);
        }

        public Learning(boolean enabled, List<String> junkMailboxes, int queueSize, long maxMessageSize, int perUserPerMinute) {
            this(enabled, junkMailboxes, queueSize, maxMessageSize, perUserPerMinute, DEFAULT.perUserPerDay, DEFAULT.hamAfter,
                DEFAULT.hamScanInterval);
        }

        /** Whether messages read and kept are learned as ham. */
        public boolean hamFromReadMessages() {
            return enabled && !hamAfter.isZero();
        }
    }

    /** What the retroactive rescan does with delivered mail that is now detected. */
    public enum DeliveredAction {
        /** A {@code rescan.delivered} event; the message stays where it is. */
        REPORT,
        /** Moved out of its mailbox into the quarantine, as store-level scanning does. */
        QUARANTINE
    }

    /**
     * Endpoints given by host name (container services): how often the names are resolved again, so that
     * new addresses join the pool (after PING and self-test) and vanished ones leave. Zero: never.
     */
    public record Discovery(Duration clamd, Duration spamd, Duration rspamd) {
        public static final Discovery DEFAULT = new Discovery(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    /**
     * The integrity watch.
     *
     * @param interval        how often every scanner is probed (PING, VERSION, EICAR/GTUBE self-test)
     * @param maxSignatureAge clamd signatures older than this make it degraded
     */
    public record Watch(Duration interval, Duration maxSignatureAge) {
        public static final Watch DEFAULT = new Watch(Duration.ofMinutes(1), Duration.ofDays(2));
    }

    /**
     * The security store (events, sender lists, groups).
     *
     * @param url  {@code jdbc:sqlite:<file>} (a relative file is under James's working directory) or {@code jdbc:postgresql://...}
     */
    public record Store(String url, Optional<String> user, Optional<String> password, int maxConnections, Duration cacheTtl,
                        Duration eventRetention) {
        public static final Store DEFAULT = new Store("jdbc:sqlite:var/bulwark/security.db", Optional.empty(), Optional.empty(), 4,
            Duration.ofSeconds(5), Duration.ofDays(90));
    }

    /**
     * Entries added to the sender lists and groups at every start when missing (never removed: the
     * store is the truth once running, edited over webadmin).
     */
    public record Seeds(List<String> allow, List<String> block, Map<String, List<String>> groups) {
        public static final Seeds NONE = new Seeds(List.of(), List.of(), Map.of());
    }

    /**
     * The automatic rescan of held mail, and the retroactive rescan after a signature update.
     *
     * @param interval          how often held mail goes back for a scan while some clamd is in service
     * @param repository        the mail repository path (no protocol) where VirusScan's scanFailedProcessor holds mail
     * @param processor         where held mail re-enters the pipeline
     * @param onSignatureUpdate whether a new clamd signature version (seen by the integrity watch) starts a retroactive rescan
     * @param minInterval       at least this long between two retroactive rescans; an update seen sooner waits for it
     * @param releaseClean      whether quarantined suspicious mail that is now clean is released, or only marked for review
     * @param deliveredWindow   mail delivered to mailboxes this recently is rescanned; zero: not at all
     * @param deliveredAction   what happens to delivered mail that is now detected
     */
    public record Rescan(Duration interval, String repository, String processor, boolean onSignatureUpdate, Duration minInterval,
                         boolean releaseClean, Duration deliveredWindow, DeliveredAction deliveredAction) {
        public static final Rescan DEFAULT = new Rescan(Duration.ofMinutes(1), "var/mail/scan-failed", "root", true, Duration.ofHours(1),
            false, Duration.ofDays(1), DeliveredAction.REPORT);

        public Rescan(Duration interval, String repository, String processor) {
            this(interval, repository, processor, DEFAULT.onSignatureUpdate, DEFAULT.minInterval, DEFAULT.releaseClean, DEFAULT.deliveredWindow,
                DEFAULT.deliveredAction);
        }
    }

    /**
     * The quarantine.
     *
     * @param repository       the James mail repository URL, with its protocol (file://, memory://, cassandra://...)
     * @param retention        how long an entry is kept before the purge deletes it
     * @param releaseProcessor where released mail re-enters the pipeline
     * @param purgeInterval    how often the purge of expired entries runs (as a James task)
     * @param heldRetention    how long held mail (scan-failed, unscannable) is kept before the purge deletes it
     */
    public record Quarantine(String repository, Duration retention, String releaseProcessor, Duration purgeInterval, Duration heldRetention) {
        public static final Quarantine DEFAULT = new Quarantine("file://var/mail/quarantine/", Duration.ofDays(30), "root", Duration.ofDays(1));

        /** Held mail kept as long as quarantined mail. */
        public Quarantine(String repository, Duration retention, String releaseProcessor, Duration purgeInterval) {
            this(repository, retention, releaseProcessor, purgeInterval, retention);
        }
    }

    public static final String FILE = "bulwark.properties";

    public static final String CLAMD_ENDPOINTS = "clamd.endpoints";
    public static final String CLAMD_CONNECT_TIMEOUT = "clamd.connectTimeout";
    public static final String CLAMD_READ_TIMEOUT = "clamd.readTimeout";
    public static final String CLAMD_MAX_CONNECTIONS = "clamd.maxConnectionsPerEndpoint";
    public static final String CLAMD_BORROW_TIMEOUT = "clamd.borrowTimeout";
    public static final String CLAMD_IDLE_TIMEOUT = "clamd.idleTimeout";
    public static final String CLAMD_PROBE_INTERVAL = "clamd.probeInterval";
    public static final String CLAMD_CHUNK_SIZE = "clamd.chunkSize";
    public static final String CLAMD_MAX_STREAM_SIZE = "clamd.maxStreamSize";
    public static final String CLAMD_RESOLVE_INTERVAL = "clamd.resolveInterval";
    public static final String SPAMD_RESOLVE_INTERVAL = "spamd.resolveInterval";
    public static final String SPAMD_ENDPOINTS = "spamd.endpoints";
    public static final String SPAMD_CONNECT_TIMEOUT = "spamd.connectTimeout";
    public static final String SPAMD_TIMEOUT = "spamd.timeout";
    public static final String SPAMD_MAX_CONNECTIONS = "spamd.maxConnectionsPerEndpoint";
    public static final String SPAMD_BORROW_TIMEOUT = "spamd.borrowTimeout";
    public static final String SPAMD_PROBE_INTERVAL = "spamd.probeInterval";
    public static final String SPAMD_MAX_MESSAGE_SIZE = "spamd.maxMessageSize";
    public static final String SPAM_ENGINE = "spam.engine";
    public static final String RSPAMD_ENDPOINTS = endpointsKey("rspamd");
    public static final String RSPAMD_CONTROLLER_ENDPOINTS = "rspamd.controllerEndpoints";
    public static final String RSPAMD_CONNECT_TIMEOUT = "rspamd.connectTimeout";
    public static final String RSPAMD_TIMEOUT = "rspamd.timeout";
    public static final String RSPAMD_MAX_CONNECTIONS = "rspamd.maxConnectionsPerEndpoint";
    public static final String RSPAMD_BORROW_TIMEOUT = "rspamd.borrowTimeout";
    public static final String RSPAMD_PROBE_INTERVAL = "rspamd.probeInterval";
    public static final String RSPAMD_MAX_MESSAGE_SIZE = "rspamd.maxMessageSize";
    public static final String RSPAMD_RESOLVE_INTERVAL = "rspamd.resolveInterval";
    public static final String STARTUP_REQUIRE_SCANNERS = "startup.requireScanners";
    public static final String RESCAN_INTERVAL = "rescan.interval";
    public static final String RESCAN_REPOSITORY = "rescan.repository";
    public static final String RESCAN_PROCESSOR = "rescan.processor";
    public static final String RESCAN_ON_SIGNATURE_UPDATE = "rescan.onSignatureUpdate";
    public static final String RESCAN_MIN_INTERVAL = "rescan.minInterval";
    public static final String RESCAN_RELEASE_CLEAN = "rescan.releaseClean";
    public static final String RESCAN_DELIVERED_WINDOW = "rescan.deliveredWindow";
    public static final String RESCAN_DELIVERED_ACTION = "rescan.deliveredAction";
    public static final String MAILBOX_ATTACHMENT_POLICY = "mailbox.attachmentPolicy";
    public static final String MAILBOX_NOTICE_PROCESSOR = "mailbox.noticeProcessor";
    public static final String MAILBOX_STAMP_KEY = "mailbox.stampKey";
    public static final String MAILBOX_SCAN_RATE = "mailbox.scanRate";
    public static final String MAILBOX_TAKE_OUTS_PER_OWNER_PER_DAY = "mailbox.takeOutsPerOwnerPerDay";
    public static final String MAILBOX_TAKE_OUT_BYTES_PER_OWNER_PER_DAY = "mailbox.takeOutBytesPerOwnerPerDay";
    public static final String CANARY_INTERVAL = "canary.interval";
    public static final String CANARY_DEADLINE = "canary.deadline";
    public static final String CANARY_RECIPIENT = "canary.recipient";
    public static final String QUARANTINE_REPOSITORY = "quarantine.repository";
    public static final String QUARANTINE_RETENTION = "quarantine.retention";
    public static final String QUARANTINE_RELEASE_PROCESSOR = "quarantine.releaseProcessor";
    public static final String QUARANTINE_PURGE_INTERVAL = "quarantine.purgeInterval";
    public static final String QUARANTINE_HELD_RETENTION = "quarantine.heldRetention";
    public static final String STORE_URL = "store.url";
    public static final String STORE_USER = "store.user";
    public static final String STORE_PASSWORD = "store.password";
    public static final String STORE_MAX_CONNECTIONS = "store.maxConnections";
    public static final String STORE_CACHE_TTL = "store.cacheTtl";
    public static final String STORE_EVENT_RETENTION = "store.eventRetention";
    public static final String WATCH_INTERVAL = "watch.interval";
    public static final String WATCH_MAX_SIGNATURE_AGE = "watch.maxSignatureAge";
    public static final String OUTBREAK_WINDOW = "outbreak.window";
    public static final String OUTBREAK_PER_VIRUS = "outbreak.perVirus";
    public static final String OUTBREAK_TOTAL = "outbreak.total";
    public static final String OUTBREAK_QUIET_PERIOD = "outbreak.quietPeriod";
    public static final String LISTS_ALLOW = "lists.allow";
    public static final String LISTS_BLOCK = "lists.block";
    public static final String WEBADMIN_ALLOWED_ORIGINS = "webadmin.allowedOrigins";
    public static final String WEBADMIN_ALLOW_UNAUTHENTICATED = "webadmin.allowUnauthenticated";
    public static final String LEARNING_ENABLED = "learning.enabled";
    public static final String LEARNING_JUNK_MAILBOXES = "learning.junkMailboxes";
    public static final String LEARNING_QUEUE_SIZE = "learning.queueSize";
    public static final String LEARNING_MAX_MESSAGE_SIZE = "learning.maxMessageSize";
    public static final String LEARNING_PER_USER_PER_MINUTE = "learning.perUserPerMinute";
    public static final String LEARNING_PER_USER_PER_DAY = "learning.perUserPerDay";
    public static final String LEARNING_HAM_AFTER = "learning.hamAfter";
    public static final String LEARNING_HAM_SCAN_INTERVAL = "learning.hamScanInterval";
    /** {@code groups.<name>=member,member}: one key per group. */
    public static final String GROUPS_PREFIX = "groups.";

    private static final Set<String> KEYS = Set.of(CLAMD_ENDPOINTS, CLAMD_CONNECT_TIMEOUT, CLAMD_READ_TIMEOUT,
        CLAMD_MAX_CONNECTIONS, CLAMD_BORROW_TIMEOUT, CLAMD_IDLE_TIMEOUT, CLAMD_PROBE_INTERVAL, CLAMD_CHUNK_SIZE,
        CLAMD_MAX_STREAM_SIZE, CLAMD_RESOLVE_INTERVAL, SPAMD_RESOLVE_INTERVAL, SPAMD_ENDPOINTS, SPAMD_CONNECT_TIMEOUT, SPAMD_TIMEOUT, SPAMD_MAX_CONNECTIONS,
        SPAMD_BORROW_TIMEOUT, SPAMD_PROBE_INTERVAL, SPAMD_MAX_MESSAGE_SIZE, SPAM_ENGINE, RSPAMD_ENDPOINTS, RSPAMD_CONTROLLER_ENDPOINTS,
        RSPAMD_CONNECT_TIMEOUT, RSPAMD_TIMEOUT, RSPAMD_MAX_CONNECTIONS, RSPAMD_BORROW_TIMEOUT, RSPAMD_PROBE_INTERVAL, RSPAMD_MAX_MESSAGE_SIZE,
        RSPAMD_RESOLVE_INTERVAL, STARTUP_REQUIRE_SCANNERS,
        RESCAN_INTERVAL, RESCAN_REPOSITORY, RESCAN_PROCESSOR, RESCAN_ON_SIGNATURE_UPDATE, RESCAN_MIN_INTERVAL, RESCAN_RELEASE_CLEAN,
        RESCAN_DELIVERED_WINDOW, RESCAN_DELIVERED_ACTION, MAILBOX_ATTACHMENT_POLICY, MAILBOX_NOTICE_PROCESSOR, MAILBOX_STAMP_KEY,
        MAILBOX_SCAN_RATE, MAILBOX_TAKE_OUTS_PER_OWNER_PER_DAY, MAILBOX_TAKE_OUT_BYTES_PER_OWNER_PER_DAY,
        CANARY_INTERVAL, CANARY_DEADLINE, CANARY_RECIPIENT, QUARANTINE_REPOSITORY, QUARANTINE_RETENTION,
        QUARANTINE_RELEASE_PROCESSOR, QUARANTINE_PURGE_INTERVAL, QUARANTINE_HELD_RETENTION, STORE_URL, STORE_USER, STORE_PASSWORD, STORE_MAX_CONNECTIONS,
        STORE_CACHE_TTL, STORE_EVENT_RETENTION, LISTS_ALLOW, LISTS_BLOCK, WATCH_INTERVAL, WATCH_MAX_SIGNATURE_AGE, OUTBREAK_WINDOW, OUTBREAK_PER_VIRUS,
        OUTBREAK_TOTAL, OUTBREAK_QUIET_PERIOD, WEBADMIN_ALLOWED_ORIGINS, WEBADMIN_ALLOW_UNAUTHENTICATED,
        LEARNING_ENABLED, LEARNING_JUNK_MAILBOXES, LEARNING_QUEUE_SIZE, LEARNING_MAX_MESSAGE_SIZE, LEARNING_PER_USER_PER_MINUTE,
        LEARNING_PER_USER_PER_DAY, LEARNING_HAM_AFTER, LEARNING_HAM_SCAN_INTERVAL);

    private static final String DURATION = "a duration such as 30s or 500ms";

    /** The key listing an engine's endpoints: {@code <daemon>.endpoints}, as {@link #CLAMD_ENDPOINTS} and {@link #SPAMD_ENDPOINTS}. */
    public static String endpointsKey(String daemon) {
        return daemon + ".endpoints";
    }

    public static BulwarkConfiguration from(Configuration file, Map<String, String> environment) {
        Source source = new Source(file, environment);
        source.rejectUnknownKeys();
        ClamdPoolConfig clamdDefaults = ClamdPoolConfig.defaults(
            source.required(CLAMD_ENDPOINTS, "host:port[;weight=N][,host:port...]", BulwarkConfiguration::weightedEndpoints));
        ClamdPoolConfig clamd = new ClamdPoolConfig(
            clamdDefaults.endpoints(),
            new ScannerTimeouts(
                source.optional(CLAMD_CONNECT_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(ScannerTimeouts.DEFAULT.connect()),
                source.optional(CLAMD_READ_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(ScannerTimeouts.DEFAULT.read())),
            source.optional(CLAMD_MAX_CONNECTIONS, "a number from 1 to 256", v -> count(v, 1, 256)).orElse(clamdDefaults.maxConnectionsPerEndpoint()),
            source.optional(CLAMD_BORROW_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(clamdDefaults.borrowTimeout()),
            source.optional(CLAMD_IDLE_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(clamdDefaults.idleTimeout()),
            source.optional(CLAMD_PROBE_INTERVAL, DURATION, BulwarkConfiguration::duration).orElse(clamdDefaults.probeInterval()),
            source.optional(CLAMD_CHUNK_SIZE, "a size from 1K to 16M", v -> (int) size(v, 1024, 16L * 1024 * 1024)).orElse(clamdDefaults.chunkSize()),
            source.optional(CLAMD_MAX_STREAM_SIZE, "a size such as 25M (clamd's StreamMaxLength)", v -> size(v, 1, Long.MAX_VALUE)).orElse(clamdDefaults.maxStreamSize()));
        SpamEngine engine = source.optional(SPAM_ENGINE, "spamd or rspamd", v -> SpamEngine.valueOf(v.trim().toUpperCase(Locale.ROOT)))
            .orElse(SpamEngine.SPAMD);
        Optional<List<Endpoint>> spamdEndpoints = engine == SpamEngine.SPAMD
            ? Optional.of(source.required(SPAMD_ENDPOINTS, "host:port[,host:port...]", BulwarkConfiguration::endpoints))
            : source.optional(SPAMD_ENDPOINTS, "host:port[,host:port...]", BulwarkConfiguration::endpoints);
        Optional<SpamdPoolConfig> spamd = spamdEndpoints.map(SpamdPoolConfig::defaults).map(spamdDefaults -> new SpamdPoolConfig(
            spamdDefaults.endpoints(),
            new SpamdClientConfig(
                source.optional(SPAMD_CONNECT_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(SpamdClientConfig.DEFAULT.connectTimeout()),
                source.optional(SPAMD_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(SpamdClientConfig.DEFAULT.exchangeTimeout()),
                source.optional(SPAMD_MAX_MESSAGE_SIZE, "a size such as 500K", v -> size(v, 1, Long.MAX_VALUE)).orElse(SpamdClientConfig.DEFAULT.maxMessageSize())),
            source.optional(SPAMD_MAX_CONNECTIONS, "a number from 1 to 256", v -> count(v, 1, 256)).orElse(spamdDefaults.maxConnectionsPerEndpoint()),
            source.optional(SPAMD_BORROW_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(spamdDefaults.borrowTimeout()),
            source.optional(SPAMD_PROBE_INTERVAL, DURATION, BulwarkConfiguration::duration).orElse(spamdDefaults.probeInterval())));
        Optional<List<Endpoint>> rspamdEndpoints = engine == SpamEngine.RSPAMD
            ? Optional.of(source.required(RSPAMD_ENDPOINTS, "host:port[,host:port...] (rspamd's scan port, 11333)", BulwarkConfiguration::endpoints))
            : source.optional(RSPAMD_ENDPOINTS, "host:port[,host:port...] (rspamd's scan port, 11333)", BulwarkConfiguration::endpoints);
        Optional<RspamdPoolConfig> rspamd = rspamdEndpoints.map(endpoints -> new RspamdPoolConfig(endpoints,
            source.optional(RSPAMD_CONNECT_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(RspamdPoolConfig.DEFAULT_CONNECT_TIMEOUT),
            source.optional(RSPAMD_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(RspamdPoolConfig.DEFAULT_TIMEOUT),
            source.optional(RSPAMD_MAX_CONNECTIONS, "a number from 1 to 256", v -> count(v, 1, 256)).orElse(RspamdPoolConfig.DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT),
            source.optional(RSPAMD_BORROW_TIMEOUT, DURATION, BulwarkConfiguration::duration).orElse(RspamdPoolConfig.DEFAULT_BORROW_TIMEOUT),
            source.optional(RSPAMD_PROBE_INTERVAL, DURATION, BulwarkConfiguration::duration).orElse(RspamdPoolConfig.DEFAULT_PROBE_INTERVAL),
            source.optional(RSPAMD_MAX_MESSAGE_SIZE, "a size such as 2M", v -> size(v, 1, Long.MAX_VALUE)).orElse(RspamdPoolConfig.DEFAULT_MAX_MESSAGE_SIZE)));
        // Unset: rspamd's own default, the controller on port 11334 of each rspamd host.
        List<Endpoint> rspamdControllers = source.optional(RSPAMD_CONTROLLER_ENDPOINTS, "host:port[,host:port...] (rspamd's controller port, 11334)",
                BulwarkConfiguration::endpoints)
            .orElseGet(() -> rspamdEndpoints.orElse(List.of()).stream().map(e -> new Endpoint(e.host(), 11334)).distinct().toList());
        Spam spam = new Spam(engine, spamd, rspamd, rspamdControllers);
        Rescan rescan = new Rescan(
            source.optional(RESCAN_INTERVAL, DURATION, BulwarkConfiguration::duration).orElse(Rescan.DEFAULT.interval()),
            source.optional(RESCAN_REPOSITORY, "a repository path such as var/mail/scan-failed", BulwarkConfiguration::repositoryPath)
                .orElse(Rescan.DEFAULT.repository()),
            source.optional(RESCAN_PROCESSOR, "a processor name", String::trim).orElse(Rescan.DEFAULT.processor()),
            source.optional(RESCAN_ON_SIGNATURE_UPDATE, "true or false", BulwarkConfiguration::bool).orElse(Rescan.DEFAULT.onSignatureUpdate()),
            source.optional(RESCAN_MIN_INTERVAL, DURATION, BulwarkConfiguration::duration).orElse(Rescan.DEFAULT.minInterval()),
            source.optional(RESCAN_RELEASE_CLEAN, "true or false", BulwarkConfiguration::bool).orElse(Rescan.DEFAULT.releaseClean()),
            source.optional(RESCAN_DELIVERED_WINDOW, "a duration such as 1d, or 0 for none", BulwarkConfiguration::durationOrZero)
                .orElse(Rescan.DEFAULT.deliveredWindow()),
            source.optional(RESCAN_DELIVERED_ACTION, "report or quarantine", v -> DeliveredAction.valueOf(v.trim().toUpperCase(Locale.ROOT)))
                .orElse(Rescan.DEFAULT.deliveredAction()));
        Mailbox mailbox = new Mailbox(
            source.optional(MAILBOX_ATTACHMENT_POLICY, "none, or HasBannedAttachment's condition such as extensions:exe,scr;archives:true",
                BulwarkConfiguration::attachmentPolicy),
            source.optional(MAILBOX_NOTICE_PROCESSOR, "a processor name, or none", String::trim).orElse(Mailbox.DEFAULT.noticeProcessor()),
            source.optional(MAILBOX_STAMP_KEY, "at least 32 bytes in base64, e.g. from: openssl rand -base64 32", BulwarkConfiguration::stampKey),
            source.optional(MAILBOX_SCAN_RATE, "a number of messages per second from 1 to 100000", v -> count(v, 1, 100_000))
                .orElse(Mailbox.DEFAULT.scanRate()),
            source.optional(MAILBOX_TAKE_OUTS_PER_OWNER_PER_DAY, "a number of messages from 1 to 1000000", v -> count(v, 1, 1_000_000))
                .orElse(Mailbox.DEFAULT.takeOutsPerOwnerPerDay()),
            source.optional(MAILBOX_TAKE_OUT_BYTES_PER_OWNER_PER_DAY, "a size from 1K to 1T such as 200M", v -> size(v, 1024, 1L << 40))
                .orElse(Mailbox.DEFAULT.takeOutBytesPerOwnerPerDay()));
        Canary canary = new Canary(
            source.optional(CANARY_INTERVAL, "a duration such as 5m, or 0 for no canary", BulwarkConfiguration::durationOrZero)
                .orElse(Canary.DEFAULT.interval()),
            source.optional(CANARY_DEADLINE, "a duration such as 1m", BulwarkConfiguration::duration).orElse(Canary.DEFAULT.deadline()),
            source.optional(CANARY_RECIPIENT, "a local address that is no user, such as bulwark-canary@example.com", BulwarkConfiguration::address));
        Duration quarantineRetention = source.optional(QUARANTINE_RETENTION, "a duration such as 30d", BulwarkConfiguration::duration)
            .orElse(Quarantine.DEFAULT.retention());
        Quarantine quarantine = new Quarantine(
            source.optional(QUARANTINE_REPOSITORY, "a mail repository URL such as file://var/mail/quarantine/", BulwarkConfiguration::repositoryUrl)
                .orElse(Quarantine.DEFAULT.repository()),
            quarantineRetention,
            source.optional(QUARANTINE_RELEASE_PROCESSOR, "a processor name", String::trim).orElse(Quarantine.DEFAULT.releaseProcessor()),
            source.optional(QUARANTINE_PURGE_INTERVAL, "a duration such as 1d", BulwarkConfiguration::duration).orElse(Quarantine.DEFAULT.purgeInterval()),
            source.optional(QUARANTINE_HELD_RETENTION, "a duration such as 30d", BulwarkConfiguration::duration).orElse(quarantineRetention));
        Store store = new Store(
            source.optional(STORE_URL, "jdbc:sqlite:<file> or jdbc:postgresql://host[:port]/database", BulwarkConfiguration::jdbcUrl)
                .orElse(Store.DEFAULT.url()),
            source.optional(STORE_USER, "a database user", String::trim),
            source.optional(STORE_PASSWORD, "a database password", v -> v),
            source.optional(STORE_MAX_CONNECTIONS, "a number from 1 to 64", v -> count(v, 1, 64)).orElse(Store.DEFAULT.maxConnections()),
            source.optional(STORE_CACHE_TTL, DURATION, BulwarkConfiguration::duration).orElse(Store.DEFAULT.cacheTtl()),
            source.optional(STORE_EVENT_RETENTION, "a duration such as 90d", BulwarkConfiguration::duration).orElse(Store.DEFAULT.eventRetention()));
        Map<String, List<String>> groups = new java.util.TreeMap<>();
        for (String key : source.groupKeys()) {
            String name = key.substring(GROUPS_PREFIX.length());
            groups.put(name, source.required(key, "a group name of lower-case letters, digits, '-' or '_', and members such as "
                + "bob@example.com,@example.org", v -> patterns(groupName(name, v))));
        }
        Seeds seeds = new Seeds(
            source.optional(LISTS_ALLOW, "addresses or domains such as partner.example,boss@example.com", BulwarkConfiguration::patterns).orElse(List.of()),
            source.optional(LISTS_BLOCK, "addresses or domains such as spammer.example,*@*.spam.test", BulwarkConfiguration::patterns).orElse(List.of()),
            groups);
        return new BulwarkConfiguration(clamd, spam,
            source.optional(STARTUP_REQUIRE_SCANNERS, "true or false", BulwarkConfiguration::bool).orElse(true), rescan, quarantine,
            store, seeds, new Watch(
                source.optional(WATCH_INTERVAL, DURATION, BulwarkConfiguration::duration).orElse(Watch.DEFAULT.interval()),
                source.optional(WATCH_MAX_SIGNATURE_AGE, "a duration such as 2d", BulwarkConfiguration::duration)
                    .orElse(Watch.DEFAULT.maxSignatureAge())),
            new dev.bulwark.security.OutbreakSettings(
                source.optional(OUTBREAK_WINDOW, DURATION, BulwarkConfiguration::duration).orElse(dev.bulwark.security.OutbreakSettings.DEFAULT.window()),
                source.optional(OUTBREAK_PER_VIRUS, "a number from 1 to 1000000", v -> count(v, 1, 1_000_000))
                    .orElse(dev.bulwark.security.OutbreakSettings.DEFAULT.perVirus()),
                source.optional(OUTBREAK_TOTAL, "a number from 1 to 1000000", v -> count(v, 1, 1_000_000))
                    .orElse(dev.bulwark.security.OutbreakSettings.DEFAULT.total()),
                source.optional(OUTBREAK_QUIET_PERIOD, DURATION, BulwarkConfiguration::duration)
                    .orElse(dev.bulwark.security.OutbreakSettings.DEFAULT.quietPeriod())),
            new Discovery(
                source.optional(CLAMD_RESOLVE_INTERVAL, "a duration such as 30s, or 0 for never", BulwarkConfiguration::durationOrZero)
                    .orElse(Discovery.DEFAULT.clamd()),
                source.optional(SPAMD_RESOLVE_INTERVAL, "a duration such as 30s, or 0 for never", BulwarkConfiguration::durationOrZero)
                    .orElse(Discovery.DEFAULT.spamd()),
                source.optional(RSPAMD_RESOLVE_INTERVAL, "a duration such as 30s, or 0 for never", BulwarkConfiguration::durationOrZero)
                    .orElse(Discovery.DEFAULT.rspamd())),
            new WebAdmin(
                source.optional(WEBADMIN_ALLOWED_ORIGINS, "origins such as https://mail.example.com:8000, comma separated",
                    v -> Arrays.stream(v.split(",")).map(String::trim).filter(o -> !o.isEmpty()).map(WebOrigin::parse).distinct().toList())
                    .orElse(WebAdmin.DEFAULT.allowedOrigins()),
                source.optional(WEBADMIN_ALLOW_UNAUTHENTICATED, "true or false", BulwarkConfiguration::bool)
                    .orElse(WebAdmin.DEFAULT.allowUnauthenticated())),
            mailbox, canary, learning(source));
    }

    private static Learning learning(Source source) {
        return new Learning(
            source.optional(LEARNING_ENABLED, "true or false", BulwarkConfiguration::bool).orElse(Learning.DEFAULT.enabled()),
            source.optional(LEARNING_JUNK_MAILBOXES, "mailbox names such as Junk,Spam,Junk E-Mail", BulwarkConfiguration::mailboxNames)
                .orElse(Learning.DEFAULT.junkMailboxes()),
            source.optional(LEARNING_QUEUE_SIZE, "a number from 1 to 1000000", v -> count(v, 1, 1_000_000)).orElse(Learning.DEFAULT.queueSize()),
            source.optional(LEARNING_MAX_MESSAGE_SIZE, "a size such as 500K", v -> size(v, 1, Integer.MAX_VALUE))
                .orElse(Learning.DEFAULT.maxMessageSize()),
            source.optional(LEARNING_PER_USER_PER_MINUTE, "a number of lessons from 1 to 1000000", v -> count(v, 1, 1_000_000))
                .orElse(Learning.DEFAULT.perUserPerMinute()),
            source.optional(LEARNING_PER_USER_PER_DAY, "a number of lessons from 1 to 10000000", v -> count(v, 1, 10_000_000))
                .orElse(Learning.DEFAULT.perUserPerDay()),
            source.optional(LEARNING_HAM_AFTER, "a duration such as 7d, or 0 for never", BulwarkConfiguration::durationOrZero)
                .orElse(Learning.DEFAULT.hamAfter()),
            source.optional(LEARNING_HAM_SCAN_INTERVAL, DURATION, BulwarkConfiguration::duration).orElse(Learning.DEFAULT.hamScanInterval()));
    }

    private static List<String> mailboxNames(String value) {
        List<String> names = Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no mailbox name given");
        }
        return names;
    }

    private static String attachmentPolicy(String value) {
        if (!value.trim().equalsIgnoreCase(Mailbox.NONE)) {
            dev.bulwark.matchers.attachments.AttachmentPolicy.parse(value.trim());
        }
        return value.trim();
    }

    private static String stampKey(String value) {
        byte[] key = java.util.Base64.getDecoder().decode(value.trim());
        if (key.length < 32) {
            throw new IllegalArgumentException(key.length + " bytes");
        }
        return value.trim();
    }

    private static String address(String value) {
        try {
            return new org.apache.james.core.MailAddress(value.trim()).asString();
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static String environmentName(String key) {
        return "BULWARK_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static List<WeightedEndpoint> weightedEndpoints(String value) {
        return distinct(list(value).stream().map(WeightedEndpoint::parse).toList(), WeightedEndpoint::endpoint);
    }

    private static List<Endpoint> endpoints(String value) {
        return distinct(list(value).stream().map(Endpoint::parse).toList(), Function.identity());
    }

    private static List<String> list(String value) {
        List<String> items = Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no endpoint given");
        }
        return items;
    }

    private static <T> List<T> distinct(List<T> items, Function<T, Endpoint> endpoint) {
        if (items.stream().map(endpoint).distinct().count() != items.size()) {
            throw new IllegalArgumentException("an endpoint is listed twice");
        }
        return items;
    }

    private static Duration duration(String value) {
        Duration duration = DurationParser.parse(value, ChronoUnit.SECONDS);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("must be positive");
        }
        return duration;
    }

    private static Duration durationOrZero(String value) {
        Duration duration = DurationParser.parse(value, ChronoUnit.SECONDS);
        if (duration.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return duration;
    }

    private static int count(String value, int min, int max) {
        int count = Integer.parseInt(value);
        if (count < min || count > max) {
            throw new IllegalArgumentException("out of range");
        }
        return count;
    }

    private static long size(String value, long min, long max) {
        long bytes = Size.parse(value).asBytes();
        if (bytes < min || bytes > max) {
            throw new IllegalArgumentException("out of range");
        }
        return bytes;
    }

    private static String repositoryPath(String value) {
        if (value.contains("://")) {
            throw new IllegalArgumentException("give the path without the protocol, as webadmin lists it");
        }
        return value.replaceAll("^/+|/+$", "");
    }

    private static String repositoryUrl(String value) {
        int separator = value.indexOf("://");
        if (separator <= 0 || separator + 3 == value.length()) {
            throw new IllegalArgumentException("give protocol and path, as in mailetcontainer.xml's repositoryPath");
        }
        return value;
    }

    private static String jdbcUrl(String value) {
        dev.bulwark.security.Dialect.of(value);
        return value;
    }

    private static String groupName(String name, String value) {
        dev.bulwark.security.Groups.checkName(name);
        return value;
    }

    /** Validated and normalised address patterns (user@domain, @domain, domain, wildcards). */
    private static List<String> patterns(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty())
            .map(v -> dev.bulwark.security.AddressPattern.parse(v).value()).toList();
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    /** The file's values with environment overrides applied, and error messages in one format. */
    private record Source(Configuration file, Map<String, String> environment) {

        void rejectUnknownKeys() {
            TreeSet<String> unknown = new TreeSet<>();
            file.getKeys().forEachRemaining(key -> {
                if (!KEYS.contains(key) && !key.startsWith(GROUPS_PREFIX)) {
                    unknown.add(key);
                }
            });
            if (!unknown.isEmpty()) {
                throw new BulwarkConfigurationException(FILE + ": unknown key " + String.join(", ", unknown)
                    + ", expected one of " + new TreeSet<>(KEYS) + " or " + GROUPS_PREFIX + "<name>");
            }
        }

        List<String> groupKeys() {
            TreeSet<String> keys = new TreeSet<>();
            file.getKeys().forEachRemaining(key -> {
                if (key.startsWith(GROUPS_PREFIX)) {
                    keys.add(key);
                }
            });
            return List.copyOf(keys);
        }

        <T> T required(String key, String expected, Function<String, T> parser) {
            return optional(key, expected, parser).orElseThrow(() -> new BulwarkConfigurationException(
                FILE + ": " + key + " is missing, expected " + expected));
        }

        <T> Optional<T> optional(String key, String expected, Function<String, T> parser) {
            Optional<String> value = raw(key);
            try {
                return value.map(parser);
            } catch (RuntimeException e) {
                throw new BulwarkConfigurationException(FILE + ": " + key + " is '" + value.get() + "'"
                    + origin(key) + ", expected " + expected + " (" + e.getMessage() + ")");
            }
        }

        private Optional<String> raw(String key) {
            String fromEnvironment = environment.get(environmentName(key));
            if (fromEnvironment != null) {
                return Optional.of(fromEnvironment.trim()).filter(v -> !v.isEmpty());
            }
            // James splits list values on commas; join them back so each key reads as written.
            String joined = Arrays.stream(file.getStringArray(key)).map(String::trim).collect(Collectors.joining(","));
            return Optional.of(joined).filter(v -> !v.isEmpty());
        }

        private String origin(String key) {
            return environment.containsKey(environmentName(key)) ? " (from " + environmentName(key) + ")" : "";
        }
    }
}
