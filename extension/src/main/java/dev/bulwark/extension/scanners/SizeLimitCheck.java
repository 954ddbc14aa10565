package dev.bulwark.extension.scanners;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.util.Size;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.bulwark.security.SecurityEvent;

/**
 * Compares the size James's SMTP servers accept ({@code maxmessagesize} in smtpserver.xml, in KB,
 * 0 for unlimited) with the size clamd scans in one stream ({@code clamd.maxStreamSize}, clamd's
 * StreamMaxLength). Larger mail is scanned part by part; a part that is itself over the limit is
 * UNSCANNABLE (held, or refused at SMTP time), never "clean". A server that accepts mail of any size
 * is warned about (a security event, one per server): nothing bounds its parts. A finite limit above
 * clamd's is said once at INFO, with both figures.
 */
final class SizeLimitCheck {
    private static final Logger LOGGER = LoggerFactory.getLogger(SizeLimitCheck.class);

    private SizeLimitCheck() {
    }

    /** The warnings, as security events of kind {@code config.size-limit}. */
    static List<SecurityEvent> check(HierarchicalConfiguration<ImmutableNode> smtpServers, long scanLimit) {
        List<SecurityEvent> warnings = new ArrayList<>();
        for (HierarchicalConfiguration<ImmutableNode> server : smtpServers.configurationsAt("smtpserver")) {
            if (!server.getBoolean("[@enabled]", true)) {
                continue;
            }
            String name = Optional.ofNullable(server.getString("jmxName", null)).orElse(server.getString("bind", "smtpserver"));
            long smtpLimit = smtpLimit(server.getString("maxmessagesize", "0"));
            if (smtpLimit == 0) {
                String message = "smtpserver.xml: " + name + " accepts mail of any size (maxmessagesize 0) but clamd scans at most "
                    + scanLimit + " bytes in one stream (clamd.maxStreamSize in bulwark.properties): larger mail is scanned part by part, "
                    + "and a part over that size is UNSCANNABLE and goes to VirusScan's unscannableProcessor; set maxmessagesize "
                    + "(KB), e.g. " + (scanLimit * 7 / 5 / 1024) + ", to refuse huge mail at SMTP time";
                LOGGER.warn(message);
                warnings.add(SecurityEvent.of(Instant.now(), "config.size-limit", Optional.empty(), Optional.empty(), List.of(),
                    Map.of("smtpServer", name, "smtpLimit", Long.toString(smtpLimit), "scanLimit", Long.toString(scanLimit), "message", message)));
            } else if (smtpLimit > scanLimit) {
                LOGGER.info("smtpserver.xml: {} accepts mail up to {} bytes, clamd scans {} bytes in one stream: larger mail is scanned "
                    + "part by part, and a part over {} bytes is UNSCANNABLE", name, smtpLimit, scanLimit, scanLimit);
            }
        }
        return warnings;
    }

    /** maxmessagesize is in KB unless a unit is given; 0 means unlimited. */
    static long smtpLimit(String value) {
        String trimmed = value.trim();
        if (trimmed.matches("\\d+")) {
            return Long.parseLong(trimmed) * 1024;
        }
        try {
            return Size.parse(trimmed).asBytes();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
