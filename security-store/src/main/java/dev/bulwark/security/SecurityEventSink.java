package dev.bulwark.security;

/** Where mail processing hands its security events: never blocks, never throws. */
public interface SecurityEventSink {
    void record(SecurityEvent event);
}
