package dev.bulwark.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import dev.bulwark.launcher.ConfFolder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;

/**
 * An RSA key pair for James's webadmin JWT authentication, which the sample configuration turns on: the
 * public half goes to {@code conf/jwt_publickey} (where james-conf/webadmin.properties looks), tokens are
 * signed with the other. The main job reads the pair scripts/webadmin-keys.sh made (PEM files); tests generate one.
 */
public final class WebAdminJwt {
    /** The file james-conf/webadmin.properties names ({@code jwt.publickeypem.url=file://conf/jwt_publickey}). */
    public static final String PUBLIC_KEY_FILE = "jwt_publickey";
    /** The file scripts/webadmin-keys.sh writes the private half to, beside the public one. */
    public static final String PRIVATE_KEY_FILE = "jwt_private.pem";

    private final KeyPair keys;

    private WebAdminJwt(KeyPair keys) {
        this.keys = keys;
    }

    /** A new pair, in memory. */
    public static WebAdminJwt generate() {
        try {
            return new WebAdminJwt(KeyPairGenerator.getInstance("RSA").generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a pair written by scripts/webadmin-keys.sh (PKCS#8 private key, X.509 public key, both PEM). */
    public static WebAdminJwt fromPem(Path privateKey, Path publicKey) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            return new WebAdminJwt(new KeyPair(
                rsa.generatePublic(new X509EncodedKeySpec(pem(publicKey))),
                rsa.generatePrivate(new PKCS8EncodedKeySpec(pem(privateKey)))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the webadmin key pair " + privateKey + ", " + publicKey + ": " + e.getMessage(), e);
        }
    }

    /** Installs the public half where the sample's webadmin.properties reads it. */
    public void installIn(ConfFolder conf) {
        try {
            Files.writeString(conf.file(PUBLIC_KEY_FILE), publicKeyPem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    }

    public String adminToken(String subject) {
        return token(subject, true);
    }

    public String token(String subject, boolean admin) {
        return Jwts.builder().setSubject(subject).claim("admin", admin).signWith(keys.getPrivate(), SignatureAlgorithm.RS256).compact();
    }

    private static byte[] pem(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            return Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", "").strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
