package dev.bulwark.bench.pipeline;

import java.util.Optional;

/** The clamd and spamd every pipeline of a run uses, and their PIDs when known (for CPU accounting). */
record Daemons(String clamdHost, int clamdPort, String spamdHost, int spamdPort, Optional<Long> clamdPid, Optional<Long> spamdPid,
               boolean startedByHarness) {
    String clamdAddress() {
        return clamdHost + ":" + clamdPort;
    }

    String spamdAddress() {
        return spamdHost + ":" + spamdPort;
    }

    String clamdPidText() {
        return clamdPid.map(String::valueOf).orElse("unknown: no clamd CPU figures");
    }

    String spamdPidText() {
        return spamdPid.map(String::valueOf).orElse("unknown: no spamd CPU figures");
    }
}
