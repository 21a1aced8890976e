package dev.switchboard.auth;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig.AuthConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;

import static dev.switchboard.auth.TestTokens.NOW;
import static dev.switchboard.auth.TestTokens.SECRET_1;
import static dev.switchboard.auth.TestTokens.accepted;
import static dev.switchboard.auth.TestTokens.claims;
import static dev.switchboard.auth.TestTokens.clockAt;
import static dev.switchboard.auth.TestTokens.header;
import static dev.switchboard.auth.TestTokens.hs256;
import static dev.switchboard.auth.TestTokens.refused;
import static dev.switchboard.auth.TestTokens.signed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens of an external issuer, verified with its ES256/RS256 public key ({@code auth.public-keys}). */
@ExtendWith(VertxExtension.class)
@Timeout(10)
class PublicKeyTokensTest {
  @TempDir
  Path dir;

  @Test
  void an_es256_token_verifies_against_the_configured_public_key_pem(Vertx vertx) throws Exception {
    KeyPair issuer = ecKeyPair();
    AccessTokens tokens = AccessTokens.from(vertx, publicKeys("ec1:ES256:" + pem("ec1.pem", issuer, "PUBLIC KEY")),
        clockAt(NOW));
    AccessGrant grant = accepted(tokens.verify(signed("ES256", header("ES256", "ec1"), claims(), issuer.getPrivate())));
    assertEquals("alice", grant.identity());
    assertTrue(grant.verified());
    refused("bad_signature", tokens.verify(signed("ES256", header("ES256", "ec1"), claims(), ecKeyPair().getPrivate())));
    refused("expired", tokens.verify(signed("ES256", header("ES256", "ec1"), claims().put("exp", NOW - 60),
        issuer.getPrivate())));
  }

  @Test
  void an_rs256_token_verifies_against_the_configured_public_key_pem(Vertx vertx) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair issuer = generator.generateKeyPair();
    AccessTokens tokens = AccessTokens.from(vertx, publicKeys("rsa1:RS256:" + pem("rsa1.pem", issuer, "PUBLIC KEY")),
        clockAt(NOW));
    accepted(tokens.verify(signed("RS256", header("RS256", "rsa1"), claims(), issuer.getPrivate())));
  }

  @Test
  void hs256_and_public_keys_work_side_by_side(Vertx vertx) throws Exception {
    KeyPair issuer = ecKeyPair();
    AuthConfig both = new AuthConfig(AuthConfig.TOKEN, List.of("k1:" + SECRET_1),
        List.of("ec1:ES256:" + pem("ec1.pem", issuer, "PUBLIC KEY")));
    AccessTokens tokens = AccessTokens.from(vertx, both, clockAt(NOW));
    accepted(tokens.verify(hs256(header("HS256", "k1"), claims(), SECRET_1)));
    accepted(tokens.verify(signed("ES256", header("ES256", "ec1"), claims(), issuer.getPrivate())));
    assertTrue(tokens.canIssue(), "the HS256 key signs; public keys never do");
  }

  @Test
  void a_token_whose_alg_is_not_that_of_its_key_is_refused(Vertx vertx) throws Exception {
    Path file = pem("ec1.pem", ecKeyPair(), "PUBLIC KEY");
    AccessTokens tokens = AccessTokens.from(vertx, publicKeys("ec1:ES256:" + file), clockAt(NOW));
    // the classic confusion: the (public) PEM used as an HMAC secret
    String confused = hs256(header("HS256", "ec1"), claims(), Files.readString(file));
    refused("alg_mismatch", tokens.verify(confused));
  }

  @Test
  void a_public_key_file_that_is_missing_or_holds_a_private_key_stops_the_start(Vertx vertx) throws Exception {
    ConfigException missing = assertThrows(ConfigException.class, () ->
        AccessTokens.from(vertx, publicKeys("ec1:ES256:" + dir.resolve("nope.pem")), clockAt(NOW)));
    assertTrue(missing.getMessage().contains("cannot read the PEM file of key id ec1"), missing.getMessage());
    Path privatePem = pem("private.pem", ecKeyPair(), "PRIVATE KEY");
    ConfigException secret = assertThrows(ConfigException.class, () ->
        AccessTokens.from(vertx, publicKeys("ec1:ES256:" + privatePem), clockAt(NOW)));
    assertTrue(secret.getMessage().contains("holds a private key"), secret.getMessage());
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a pem\n");
    ConfigException notPem = assertThrows(ConfigException.class,
        () -> AccessTokens.from(vertx, publicKeys("ec1:ES256:" + garbage), clockAt(NOW)));
    assertEquals("auth.public-keys: " + garbage + " (key id ec1) is not a PEM ES256 public key or certificate",
        notPem.getMessage());
  }

  private static AuthConfig publicKeys(String... entries) {
    return new AuthConfig(AuthConfig.TOKEN, List.of(), List.of(entries));
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** The public (X.509 SubjectPublicKeyInfo) or private (PKCS#8) half of {@code pair} as a PEM file. */
  private Path pem(String name, KeyPair pair, String kind) throws IOException {
    byte[] der = kind.startsWith("PRIVATE") ? pair.getPrivate().getEncoded() : pair.getPublic().getEncoded();
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return Files.writeString(dir.resolve(name), "-----BEGIN " + kind + "-----\n" + body + "\n-----END " + kind + "-----\n");
  }
}
