package dev.bulwark.bench.pipeline;

import java.util.Optional;

/**
 * The clamd, spamd and (when a phase needs it) rspamd every pipeline of a run uses, and their PIDs when known
 * (for CPU accounting). {@code rspamdPort} is 0 when there is no rspamd.
 */
record Daemons(String clamdHost, int clamdPort, String spamdHost, int spamdPort, String rspamdHost, int rspamdPort,
               Optional<Long> clamdPid, Optional<Long> spamdPid, Optional<Long> rspamdPid, boolean startedByHarness) {
    String clamdAddress() {
        return clamdHost + ":" + clamdPort;
    }

    String spamdAddress() {
        return spamdHost + ":" + spamdPort;
    }

    boolean hasRspamd() {
        return rspamdPort > 0;
    }

    String rspamdAddress() {
        return rspamdHost + ":" + rspamdPort;
    }

    String clamdPidText() {
        return clamdPid.map(String::valueOf).orElse("unknown: no clamd CPU figures");
    }

    String spamdPidText() {
        return spamdPid.map(String::valueOf).orElse("unknown: no spamd CPU figures");
    }

    String rspamdPidText() {
        return rspamdPid.map(String::valueOf).orElse("unknown: no rspamd CPU figures");
    }
}
