package dev.switchboard.session;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Resume tokens ({@code protocol.md} §7): {@code base64url(payload).base64url(hmac)}, signed with a key that
 * only this node has and that dies with it. A token is only ever verified by the node that issued it (the
 * one holding the session), so no key is shared in a cluster; any node can still {@link #peek} at the claims
 * to route a takeover to the session's own address.
 */
public final class ResumeTokens {
  private static final String HMAC = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  /** The payload is the four claims joined by this; none of them can contain it (ids are validated, nonces base64url). */
  private static final char SEPARATOR = '\n';

  private final SecureRandom random;
  private final SecretKeySpec key;

  /** The claims of a token. {@code nonce} binds it to one join of one session. */
  public record Claims(String peerId, String room, String nodeId, String nonce) {
  }

  public ResumeTokens(SecureRandom random) {
    this.random = random;
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    this.key = new SecretKeySpec(secret, HMAC);
  }

  public ResumeTokens() {
    this(new SecureRandom());
  }

  /** 128 random bits: unguessable, so a token cannot be forged by replaying another join's claims. */
  public String newNonce() {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    return ENCODER.encodeToString(nonce);
  }

  public String issue(String peerId, String room, String nodeId, String nonce) {
    for (String claim : new String[] {peerId, room, nodeId, nonce}) {
      if (claim == null || claim.indexOf(SEPARATOR) >= 0) {
        throw new IllegalArgumentException("invalid claim: " + claim);
      }
    }
    byte[] payload = String.join(String.valueOf(SEPARATOR), peerId, room, nodeId, nonce)
        .getBytes(StandardCharsets.UTF_8);
    return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(payload));
  }

  /** The claims as written, unverified (for routing only); null when the token is not even well-formed. */
  public static Claims peek(String token) {
    byte[] payload = payloadOf(token);
    return payload == null ? null : claimsOf(payload);
  }

  /** The claims when this node signed the token, else null. */
  public Claims verify(String token) {
    byte[] payload = payloadOf(token);
    if (payload == null) {
      return null;
    }
    byte[] given;
    try {
      given = DECODER.decode(token.substring(token.indexOf('.') + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
    // constant time: the comparison must not tell an attacker how much of a guessed mac was right
    return MessageDigest.isEqual(mac(payload), given) ? claimsOf(payload) : null;
  }

  private static byte[] payloadOf(String token) {
    if (token == null || token.length() > 1024) {
      return null;
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return null;
    }
    try {
      return DECODER.decode(token.substring(0, dot));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Claims claimsOf(byte[] payload) {
    String[] parts = new String(payload, StandardCharsets.UTF_8).split(String.valueOf(SEPARATOR), -1);
    if (parts.length != 4) {
      return null;
    }
    for (String part : parts) {
      if (part.isEmpty()) {
        return null;
      }
    }
    return new Claims(parts[0], parts[1], parts[2], parts[3]);
  }

  private byte[] mac(byte[] payload) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
