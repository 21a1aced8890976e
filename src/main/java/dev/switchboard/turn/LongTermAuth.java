package dev.switchboard.turn;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The long-term credential mechanism (RFC 8489 §9.2) over REST-API credentials and optional static
 * users: which key a request was signed with, or why it is refused.
 */
final class LongTermAuth {
  enum Outcome { OK, CHALLENGE, STALE_NONCE, BAD_REQUEST }

  record Result(Outcome outcome, String username, byte[] key) {
    static Result of(Outcome outcome) {
      return new Result(outcome, null, null);
    }
  }

  private final String realm;
  private final TurnCredentials rest;
  private final Map<String, String> staticUsers;
  private final NonceService nonces;

  LongTermAuth(String realm, TurnCredentials rest, Map<String, String> staticUsers, NonceService nonces) {
    this.realm = realm;
    this.rest = rest;
    this.staticUsers = staticUsers;
    this.nonces = nonces;
  }

  String realm() {
    return realm;
  }

  String nonceFor(InetSocketAddress client, long nowSeconds) {
    return nonces.issue(client, nowSeconds);
  }

  /**
   * @param raw        the request as received (MESSAGE-INTEGRITY is checked on these bytes)
   * @param sessionKey the key of the client's existing allocation when this request is made on it with the
   *                   username that created it, else null
   */
  Result check(byte[] raw, String username, String requestRealm, String nonce, InetSocketAddress client,
               long nowSeconds, byte[] sessionKey) {
    if (StunWire.find(raw, StunWire.ATTR_MESSAGE_INTEGRITY) < 0) {
      return Result.of(Outcome.CHALLENGE);
    }
    if (username == null || requestRealm == null || nonce == null) {
      return Result.of(Outcome.BAD_REQUEST);
    }
    NonceService.Check nonceCheck = nonces.check(nonce, client, nowSeconds);
    if (nonceCheck == NonceService.Check.INVALID || !realm.equals(requestRealm)) {
      return Result.of(Outcome.CHALLENGE);
    }
    if (nonceCheck == NonceService.Check.STALE) {
      return Result.of(Outcome.STALE_NONCE);
    }
    // the credential's expiry gates new allocations only: an allocation's own requests verify with the key it
    // was created with, so Refresh keeps working after expiry (coturn caches the key per session, LiveKit
    // checks the TTL at Allocate only); revocation, not expiry, ends an allocation early
    if (sessionKey != null && StunWire.verifyIntegrity(raw, sessionKey)) {
      return new Result(Outcome.OK, username, sessionKey);
    }
    for (String password : passwordsFor(username, nowSeconds)) {
      byte[] key = key(username, realm, password);
      if (StunWire.verifyIntegrity(raw, key)) {
        return new Result(Outcome.OK, username, key);
      }
    }
    return Result.of(Outcome.CHALLENGE);
  }

  private List<String> passwordsFor(String username, long nowSeconds) {
    List<String> passwords = new ArrayList<>(2);
    String fixed = staticUsers.get(username);
    if (fixed != null) {
      passwords.add(fixed);
    }
    if (rest != null) {
      passwords.addAll(rest.passwordsFor(username, nowSeconds));
    }
    return passwords;
  }

  static byte[] key(String username, String realm, String password) {
    try {
      return MessageDigest.getInstance("MD5")
          .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
