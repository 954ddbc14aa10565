package dev.bulwark.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import dev.bulwark.launcher.ConfFolder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;

/** An RSA key pair for James's webadmin JWT authentication: the public half goes to conf/, tokens are signed with the other. */
final class WebAdminJwt {
    private final KeyPair keys;

    private WebAdminJwt(KeyPair keys) {
        this.keys = keys;
    }

    static WebAdminJwt generate() {
        try {
            return new WebAdminJwt(KeyPairGenerator.getInstance("RSA").generateKeyPair());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Turns webadmin's JWT authentication on in this configuration, with this key. */
    void enableIn(ConfFolder conf) {
        try {
            Files.writeString(conf.file("jwt_publickey"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        conf.setProperty("webadmin.properties", "jwt.enabled", "true")
            .setProperty("webadmin.properties", "jwt.publickeypem.url", "file://conf/jwt_publickey");
    }

    String adminToken(String subject) {
        return Jwts.builder().setSubject(subject).claim("admin", true).signWith(keys.getPrivate(), SignatureAlgorithm.RS256).compact();
    }
}
