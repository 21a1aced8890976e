package dev.switchboard.auth;

import dev.switchboard.config.SwitchboardConfig.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens made by hand, independently of vertx-auth-jwt, so that the specs can send any header and claims
 * (including the wrong ones) and check that AccessTokens verifies what a standard JWT library produces.
 */
public final class TestTokens {
  /** A fixed "now" for every spec: 2025-01-01T00:00:00Z. */
  static final long NOW = 1_735_689_600L;
  static final String SECRET_1 = "first-secret-of-at-least-32-bytes-0001";
  static final String SECRET_2 = "second-secret-of-at-least-32-bytes-002";

  private TestTokens() {
  }

  static Clock clockAt(long epochSeconds) {
    return Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
  }

  static AuthConfig tokenMode(String... keys) {
    return new AuthConfig(AuthConfig.TOKEN, List.of(keys), List.of());
  }

  public static JsonObject header(String alg, String kid) {
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
    return kid == null ? header : header.put("kid", kid);
  }

  /** The claims of a token for alice in r1, valid for an hour from {@link #NOW}. */
  static JsonObject claims() {
    return new JsonObject().put("sub", "alice").put("room", "r1").put("iat", NOW).put("exp", NOW + 3600);
  }

  public static String hs256(JsonObject header, JsonObject claims, String secret) {
    String input = segment(header) + "." + segment(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + base64url(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** ES256 (JWS signatures are R||S, which Java names the P1363 format) or RS256. */
  static String signed(String alg, JsonObject header, JsonObject claims, PrivateKey key) {
    String input = segment(header) + "." + segment(claims);
    try {
      Signature signature = Signature.getInstance("ES256".equals(alg) ? "SHA256withECDSAinP1363Format" : "SHA256withRSA");
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + base64url(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String segment(JsonObject json) {
    return base64url(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  static String base64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static JsonObject decodedHeader(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  static JsonObject decodedClaims(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  static AccessGrant accepted(Future<AccessGrant> verification) {
    try {
      return verification.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the token was refused: " + e.getMessage(), e);
    }
  }

  /** Asserts the token was refused with {@code detail}, and that the client would only hear "unauthorized". */
  static void refused(String detail, Future<AccessGrant> verification) {
    Throwable cause;
    try {
      verification.await(5, TimeUnit.SECONDS);
      throw new AssertionError("the token was accepted, expected a refusal: " + detail);
    } catch (Exception e) {
      cause = e;
    }
    assertTrue(cause instanceof AuthFailure, "not an AuthFailure: " + cause);
    assertEquals(detail, ((AuthFailure) cause).detail());
    assertEquals("unauthorized", ((AuthFailure) cause).reason());
  }
}
