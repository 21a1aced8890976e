package dev.switchboard.auth;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig.AuthConfig;
import dev.switchboard.config.SwitchboardConfig.AuthConfig.PublicKeyFile;
import dev.switchboard.config.SwitchboardConfig.AuthConfig.SecretKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verifies and issues access tokens: JWTs signed with HS256 under one of {@code auth.keys}, or with
 * ES256/RS256 under one of {@code auth.public-keys} (docs/protocol.md §4).
 *
 * <p>Signatures are checked by vertx-auth-jwt's {@link JWTAuth}, its public API. The lower-level
 * {@code io.vertx.ext.auth.impl.jose.JWT} would avoid a few of the workarounds below, but its package is
 * exported only to Vert.x's own modules, so it is an implementation detail that may change in any
 * release. What JWTAuth does not do the way the protocol needs is done here, before and after it:
 * <ul>
 *   <li>It tries every key of the token's algorithm when the token has no {@code kid}, and verifies
 *       nothing at all (accepts {@code alg:none}) when it holds no key. So the {@code kid} header is
 *       checked here first: it must name a configured key of the token's algorithm.</li>
 *   <li>It checks {@code exp}/{@code iat}/{@code nbf} against the system clock (and refuses an
 *       {@code iat} in the future as "expired"). That check is off ({@code ignoreExpiration}); time is
 *       judged here with the injected clock, allowing {@link AccessGrant#CLOCK_SKEW_SECONDS}.</li>
 *   <li>It signs with a key chosen at random among those of the algorithm, so signing uses a second
 *       JWTAuth holding only the first HS256 key.</li>
 * </ul>
 * All of it is synchronous and cheap (an HMAC or one signature check), fine on an event loop; the
 * {@link Future} is for the callers' chains.
 */
public final class AccessTokens {
  /** A token is a few hundred bytes (1 KiB of metadata at most); anything far larger is not parsed. */
  static final int MAX_TOKEN_CHARS = 8192;
  private static final String HS256 = "HS256";

  private final JWTAuth verifier;
  private final JWTAuth signer;
  private final Map<String, String> algorithmByKid;
  private final Clock clock;

  private AccessTokens(JWTAuth verifier, JWTAuth signer, Map<String, String> algorithmByKid, Clock clock) {
    this.verifier = verifier;
    this.signer = signer;
    this.algorithmByKid = algorithmByKid;
    this.clock = clock;
  }

  /**
   * Tokens under the keys of {@code config}. PEM files of {@code auth.public-keys} are read here (blocking:
   * call at start, not on an event loop). Open mode without keys is fine: every token is then refused.
   *
   * @param vertx only handed to {@link JWTAuth#create} (which reads key stores through it; we give none)
   * @throws ConfigException when a public key file cannot be read or is not a public key
   */
  public static AccessTokens from(Vertx vertx, AuthConfig config, Clock clock) {
    JWTOptions verifyOptions = new JWTOptions().setIgnoreExpiration(true);
    JWTAuthOptions verifying = new JWTAuthOptions().setJWTOptions(verifyOptions);
    Map<String, String> algorithms = new LinkedHashMap<>();
    JWTAuth signer = null;
    for (SecretKey key : config.secretKeys()) {
      PubSecKeyOptions options = new PubSecKeyOptions().setAlgorithm(HS256).setId(key.kid()).setBuffer(key.secret());
      verifying.addPubSecKey(options);
      algorithms.put(key.kid(), HS256);
      if (signer == null) {
        signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions(options))
            .setJWTOptions(new JWTOptions().setAlgorithm(HS256)));
      }
    }
    for (PublicKeyFile key : config.publicKeyFiles()) {
      PubSecKeyOptions options = new PubSecKeyOptions().setAlgorithm(key.algorithm()).setId(key.kid())
          .setBuffer(readPem(key));
      try {
        // vertx-auth-jwt parses a PEM when a JWTAuth is created: one key alone first, so that an error
        // names the file instead of failing the whole set with a parser's message
        JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(options));
      } catch (RuntimeException e) {
        throw new ConfigException("auth.public-keys: " + key.pem() + " (key id " + key.kid() + ") is not a PEM "
            + key.algorithm() + " public key or certificate");
      }
      verifying.addPubSecKey(options);
      algorithms.put(key.kid(), key.algorithm());
    }
    return new AccessTokens(JWTAuth.create(vertx, verifying), signer, Map.copyOf(algorithms), clock);
  }

  /**
   * The grant of a valid token. Fails with an {@link AuthFailure} whose {@link AuthFailure#detail() detail}
   * names the check that refused it.
   */
  public Future<AccessGrant> verify(String token) {
    JsonObject claims;
    try {
      claims = checkBeforeSignature(token);
    } catch (AuthFailure refused) {
      return Future.failedFuture(refused);
    }
    Future<?> signature;
    try {
      signature = verifier.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // authenticate() throws instead of failing for some claims after the signature passed; the known
      // ones are refused above, this keeps any other from escaping as an exception
      return Future.failedFuture(new AuthFailure("malformed"));
    }
    return signature.transform(checked -> {
      if (checked.failed()) {
        boolean unknownKey = checked.cause() instanceof NoSuchKeyIdException;
        return Future.failedFuture(new AuthFailure(unknownKey ? "unknown_kid" : "bad_signature"));
      }
      try {
        // the claims parsed before are the payload segment whose signature was just verified
        return Future.succeededFuture(checkAfterSignature(claims));
      } catch (AuthFailure refused) {
        return Future.failedFuture(refused);
      }
    });
  }

  /**
   * A token for {@code grant}, valid from now for {@code ttl}, signed with the first of {@code auth.keys}
   * and naming it in its {@code kid} header. The grant's {@code expiresAt} and {@code verified} are not
   * used; its {@code notBefore} is, when above 0.
   *
   * @throws IllegalStateException    when no HS256 key is configured
   * @throws IllegalArgumentException when the grant could not verify (identity, name, room, metadata) or
   *                                  the ttl is under a second
   */
  public String issue(AccessGrant grant, Duration ttl) {
    if (signer == null) {
      throw new IllegalStateException("no HS256 key is configured (auth.keys), so no token can be signed");
    }
    if (ttl.toSeconds() < 1) {
      throw new IllegalArgumentException("the ttl must be at least one second, found: " + ttl);
    }
    long now = clock.instant().getEpochSecond();
    JsonObject claims = GrantClaims.write(grant, now, Math.addExact(now, ttl.toSeconds()));
    return signer.generateToken(claims, new JWTOptions().setAlgorithm(HS256));
  }

  /** Whether {@link #issue} can sign, i.e. an HS256 key is configured. */
  public boolean canIssue() {
    return signer != null;
  }

  /** Form, key id and claim types; returns the (not yet trusted) claims. */
  private JsonObject checkBeforeSignature(String token) {
    if (token == null || token.isEmpty()) {
      throw new AuthFailure("missing_token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new AuthFailure("token_too_large");
    }
    String[] segments = token.split("\\.", -1);
    if (segments.length != 3 || segments[2].isEmpty()) {
      throw new AuthFailure("malformed");
    }
    JsonObject header = segment(segments[0]);
    JsonObject claims = segment(segments[1]);
    Object kid = header.getValue("kid");
    if (kid == null) {
      throw new AuthFailure("missing_kid");
    }
    String algorithm = kid instanceof String id ? algorithmByKid.get(id) : null;
    if (algorithm == null) {
      throw new AuthFailure("unknown_kid");
    }
    // an HS256 token naming an RS256 key's id (the classic public-key-as-HMAC-secret confusion) ends here
    if (!algorithm.equals(header.getValue("alg"))) {
      throw new AuthFailure("alg_mismatch");
    }
    GrantClaims.checkTimeTypes(claims);
    return claims;
  }

  private AccessGrant checkAfterSignature(JsonObject claims) {
    AccessGrant grant = GrantClaims.read(claims);
    long now = clock.instant().getEpochSecond();
    if (grant.expiredAt(now)) {
      throw new AuthFailure("expired");
    }
    if (grant.notBefore() > now + AccessGrant.CLOCK_SKEW_SECONDS) {
      throw new AuthFailure("not_yet_valid");
    }
    return grant;
  }

  private static JsonObject segment(String base64url) {
    try {
      Object json = Json.decodeValue(new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8));
      if (json instanceof JsonObject object) {
        return object;
      }
    } catch (RuntimeException e) {
      // bad base64 or bad JSON: refused below like JSON that is not an object
    }
    throw new AuthFailure("malformed");
  }

  private static String readPem(PublicKeyFile key) {
    String pem;
    try {
      pem = Files.readString(key.pem(), StandardCharsets.US_ASCII).strip();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("auth.public-keys: cannot read the PEM file of key id " + key.kid() + ": " + key.pem());
    }
    // a private key here would be taken by vertx-auth-jwt as a signing key only, and the node needs none
    if (pem.contains("PRIVATE KEY")) {
      throw new ConfigException("auth.public-keys: " + key.pem() + " (key id " + key.kid() + ") holds a private key;"
          + " give the node the public key only (openssl pkey -in key.pem -pubout)");
    }
    return pem;
  }
}
