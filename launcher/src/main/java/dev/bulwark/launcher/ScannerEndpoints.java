package dev.bulwark.launcher;

/** Where Bulwark finds clamd and spamd: {@code host:port} each, as bulwark.properties' clamd.endpoints and spamd.endpoints take them. */
public record ScannerEndpoints(String clamd, String spamd) {
}
