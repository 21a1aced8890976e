package dev.switchboard.turn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Who a peer-bound TURN username {@code <expiry>:<peerId>:<identityTag>} was issued to. The expiry comes
 * first because that is where coturn (and any TURN REST API server sharing the secret) reads it; the
 * peer id and identity tag let our relay count quotas and revoke per peer and identity without any
 * lookup, since the username is covered by the HMAC password.
 */
public record CredentialUser(long expiry, String peerId, String identityTag) {
  /** The tag of a peer that has no identity (open mode without one): not an identity, so no identity quota. */
  public static final String ANONYMOUS = "anon";
  private static final int TAG_LENGTH = 12;

  /**
   * A short stable tag of an identity: the first 12 characters of base64url(SHA-256(identity)), 72 bits.
   * The identity itself never goes into the username, which is visible on the wire and in coturn's logs.
   */
  public static String tag(String identity) {
    if (identity == null) {
      return ANONYMOUS;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, TAG_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /**
   * @return the parts of a peer-bound username, or null for anything else (static users, another issuer's
   *     {@code <expiry>:<user>}, garbage): callers then treat the whole username as the user
   */
  public static CredentialUser parse(String username) {
    if (username == null) {
      return null;
    }
    int first = username.indexOf(':');
    int second = first < 0 ? -1 : username.indexOf(':', first + 1);
    if (first < 1 || first > 19 || second < 0 || second == first + 1 || second == username.length() - 1
        || username.indexOf(':', second + 1) >= 0) {
      return null;
    }
    for (int i = 0; i < first; i++) {
      char c = username.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    try {
      return new CredentialUser(Long.parseLong(username, 0, first, 10), username.substring(first + 1, second),
          username.substring(second + 1));
    } catch (NumberFormatException tooLarge) {
      return null;
    }
  }

  public String username() {
    return expiry + ":" + peerId + ":" + identityTag;
  }

  /** Whether the identity quota applies: anonymous peers share the tag but are not one identity. */
  public boolean hasIdentity() {
    return !ANONYMOUS.equals(identityTag);
  }
}
