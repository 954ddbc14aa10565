package dev.bulwark.extension.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web console's files, read once from the jar ({@code dev/bulwark/console/}) into memory. Only the
 * names listed here are ever served: a request names a key of this map, never a path, so no request can
 * reach another file of the jar or the disk.
 */
final class ConsoleAssets {
    static final String FOLDER = "/dev/bulwark/console/";
    static final String INDEX = "index.html";
    /** Every file of the console; ConsoleAssetsTest checks this against the resource folder. */
    static final List<String> NAMES = List.of(INDEX, "console.css", "console.js", "api.js", "dom.js", "dashboard.js",
        "quarantine.js", "events.js", "lists.js", "policies.js");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
        "html", "text/html; charset=utf-8",
        "css", "text/css; charset=utf-8",
        "js", "text/javascript; charset=utf-8");

    /** One file: its bytes, its content type and a strong ETag (hash of the bytes) for revalidation. */
    record Asset(String name, byte[] bytes, String contentType, String etag) {
    }

    private final Map<String, Asset> assets;

    private ConsoleAssets(Map<String, Asset> assets) {
        this.assets = Map.copyOf(assets);
    }

    static ConsoleAssets load() {
        Map<String, Asset> assets = new LinkedHashMap<>();
        for (String name : NAMES) {
            byte[] bytes = read(name);
            assets.put(name, new Asset(name, bytes, contentType(name), "\"" + sha256(bytes).substring(0, 32) + "\""));
        }
        return new ConsoleAssets(assets);
    }

    Optional<Asset> asset(String name) {
        return Optional.ofNullable(name).map(assets::get);
    }

    static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        String type = CONTENT_TYPES.get(extension);
        if (type == null) {
            throw new IllegalArgumentException("console file " + name + " has no known content type");
        }
        return type;
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                // A packaging mistake, found at James's start rather than by the first admin.
                throw new IllegalStateException("console file " + FOLDER + name + " is missing from the Bulwark jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read console file " + name, e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
