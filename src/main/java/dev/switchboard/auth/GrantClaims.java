package dev.switchboard.auth;

import io.vertx.core.json.JsonObject;

/**
 * The mapping between a token's claims and an {@link AccessGrant} (docs/protocol.md §4), both ways, so
 * that what {@link AccessTokens#issue} writes is exactly what {@link AccessTokens#verify} reads.
 */
final class GrantClaims {
  private static final String ROOM_ID = "[A-Za-z0-9_-]{1,64}";

  private GrantClaims() {
  }

  /**
   * The grant a verified token's claims describe; refuses ({@link AuthFailure}) claims that are missing or
   * not of the documented form. Time is not judged here: that takes the clock.
   */
  static AccessGrant read(JsonObject claims) {
    String identity = requiredString(claims, "sub");
    if (identity.isEmpty() || AccessGrant.length(identity) > AccessGrant.MAX_IDENTITY_CHARS) {
      throw new AuthFailure("malformed_claim:sub");
    }
    long expiresAt = requiredTime(claims, "exp");
    String room = requiredString(claims, "room");
    if (!isRoom(room)) {
      throw new AuthFailure("malformed_claim:room");
    }
    String name = optional(claims, "name", String.class, "");
    if (AccessGrant.length(name) > AccessGrant.MAX_NAME_CHARS) {
      throw new AuthFailure("malformed_claim:name");
    }
    JsonObject metadata = optional(claims, "metadata", JsonObject.class, new JsonObject());
    if (AccessGrant.encodedBytes(metadata) > AccessGrant.MAX_METADATA_BYTES) {
      throw new AuthFailure("metadata_too_large");
    }
    long notBefore = claims.getValue("nbf") == null ? 0 : requiredTime(claims, "nbf");
    return new AccessGrant(identity, name, metadata, true, room,
        optional(claims, "join", Boolean.class, true), optional(claims, "publish", Boolean.class, true),
        optional(claims, "subscribe", Boolean.class, true), optional(claims, "admin", Boolean.class, false),
        expiresAt, notBefore);
  }

  /**
   * The claims of a token for {@code grant}, issued at {@code issuedAt} and valid until {@code expiresAt}
   * (the grant's own {@code expiresAt} and {@code verified} play no part). Every grant flag is written,
   * defaults included, so that a token reads the same whatever a verifier's defaults are.
   *
   * @throws IllegalArgumentException when {@link #read} would refuse the result
   */
  static JsonObject write(AccessGrant grant, long issuedAt, long expiresAt) {
    int identityLength = AccessGrant.length(grant.identity());
    if (identityLength == 0 || identityLength > AccessGrant.MAX_IDENTITY_CHARS) {
      throw new IllegalArgumentException("the identity must be 1-" + AccessGrant.MAX_IDENTITY_CHARS + " characters");
    }
    if (AccessGrant.length(grant.name()) > AccessGrant.MAX_NAME_CHARS) {
      throw new IllegalArgumentException("the name must be at most " + AccessGrant.MAX_NAME_CHARS + " characters");
    }
    if (!isRoom(grant.room())) {
      throw new IllegalArgumentException("the room must be * or 1-64 characters of [A-Za-z0-9_-], found: " + grant.room());
    }
    JsonObject metadata = grant.metadata();
    if (AccessGrant.encodedBytes(metadata) > AccessGrant.MAX_METADATA_BYTES) {
      throw new IllegalArgumentException("the metadata must encode to at most " + AccessGrant.MAX_METADATA_BYTES + " bytes");
    }
    JsonObject claims = new JsonObject().put("sub", grant.identity()).put("room", grant.room())
        .put("join", grant.join()).put("publish", grant.publish()).put("subscribe", grant.subscribe())
        .put("admin", grant.admin()).put("iat", issuedAt).put("exp", expiresAt);
    if (!grant.name().isEmpty()) {
      claims.put("name", grant.name());
    }
    if (!metadata.isEmpty()) {
      claims.put("metadata", metadata);
    }
    if (grant.notBefore() > 0) {
      claims.put("nbf", grant.notBefore());
    }
    return claims;
  }

  /**
   * Refuses time claims that are present but not numbers. Checked before the signature because
   * vertx-auth-jwt 5.0.7 reads {@code exp}, {@code iat} and {@code nbf} as longs right after verifying it
   * (even with ignoreExpiration) and throws a ClassCastException from authenticate() on a string.
   */
  static void checkTimeTypes(JsonObject claims) {
    for (String claim : new String[] {"exp", "nbf", "iat"}) {
      Object value = claims.getValue(claim);
      if (value != null && !(value instanceof Number)) {
        throw new AuthFailure("malformed_claim:" + claim);
      }
    }
  }

  static boolean isRoom(String room) {
    return AccessGrant.ANY_ROOM.equals(room) || room.matches(ROOM_ID);
  }

  private static String requiredString(JsonObject claims, String claim) {
    return required(claims, claim, String.class);
  }

  private static long requiredTime(JsonObject claims, String claim) {
    // NumericDate may have a fraction (RFC 7519 §2); whole seconds are enough here
    return required(claims, claim, Number.class).longValue();
  }

  /** A claim that must be present, of {@code type}: missing and malformed are refused apart, for the log. */
  private static <T> T required(JsonObject claims, String claim, Class<T> type) {
    Object value = claims.getValue(claim);
    if (value == null) {
      throw new AuthFailure("missing_claim:" + claim);
    }
    if (!type.isInstance(value)) {
      throw new AuthFailure("malformed_claim:" + claim);
    }
    return type.cast(value);
  }

  /** An optional claim: absent or JSON null gives the default, any other type is refused. */
  private static <T> T optional(JsonObject claims, String claim, Class<T> type, T absent) {
    Object value = claims.getValue(claim);
    if (value == null) {
      return absent;
    }
    if (!type.isInstance(value)) {
      throw new AuthFailure("malformed_claim:" + claim);
    }
    return type.cast(value);
  }
}
