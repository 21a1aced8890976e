package dev.switchboard.turn;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Time-limited TURN credentials of the TURN REST API (draft-uberti-behave-turn-rest), byte-compatible
 * with coturn's {@code use-auth-secret}/{@code static-auth-secret}. Several secrets may be accepted so
 * that a secret can be rotated; the first one signs.
 */
public final class TurnCredentials {
  private static final String HMAC = "HmacSHA1";
  private static final int MAX_ID_LENGTH = 128;

  private final List<byte[]> secrets;
  private final Duration ttl;

  public TurnCredentials(List<String> secrets, Duration ttl) {
    if (secrets.isEmpty() || secrets.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("at least one non-empty TURN secret is needed");
    }
    this.secrets = secrets.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    this.ttl = ttl;
  }

  /** A secret for a node that was given none: 256 random bits, hex. */
  public static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * A credential bound to one admitted peer: {@code <expiry>:<peerId>:<identityTag>} (see {@link CredentialUser}).
   *
   * @param peerId   the peer it is for (sanitised, so the username stays parseable)
   * @param identity the peer's identity, or null when it has none (tagged {@code anon})
   */
  public TurnCredential issue(String peerId, String identity, long nowEpochSeconds) {
    String username = new CredentialUser(nowEpochSeconds + ttl.toSeconds(), sanitise(peerId),
        CredentialUser.tag(identity)).username();
    return new TurnCredential(username, password(secrets.get(0), username), ttl.toSeconds());
  }

  public Duration ttl() {
    return ttl;
  }

  /** True when the password matches under one of the secrets and the expiry has not passed. */
  public boolean verify(String username, String password, long nowEpochSeconds) {
    byte[] given = password.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (String expected : passwordsFor(username, nowEpochSeconds)) {
      // constant time, and every secret is tried so timing does not reveal which one matched
      match |= MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given);
    }
    return match;
  }

  /**
   * The passwords a REST username may carry, one per accepted secret; none once it has expired
   * (the expiry is the number before the first colon).
   */
  public List<String> passwordsFor(String username, long nowEpochSeconds) {
    int colon = username.indexOf(':');
    long expiry;
    try {
      expiry = Long.parseLong(colon < 0 ? username : username.substring(0, colon));
    } catch (NumberFormatException e) {
      return List.of();
    }
    if (expiry < nowEpochSeconds) {
      return List.of();
    }
    return secrets.stream().map(secret -> password(secret, username)).toList();
  }

  static String password(byte[] secret, String username) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret, HMAC));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA1 unavailable", e);
    }
  }

  private static String sanitise(String id) {
    String cleaned = id == null ? "" : id.replaceAll("[^A-Za-z0-9_.@-]", "");
    if (cleaned.isEmpty()) {
      cleaned = "anonymous";
    }
    return cleaned.length() > MAX_ID_LENGTH ? cleaned.substring(0, MAX_ID_LENGTH) : cleaned;
  }
}
