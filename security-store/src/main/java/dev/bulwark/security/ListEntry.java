package dev.bulwark.security;

import java.time.Instant;

/** One pattern on a sender list, with why it is there. */
public record ListEntry(SenderList list, AddressPattern pattern, String comment, Instant createdAt) {
}
