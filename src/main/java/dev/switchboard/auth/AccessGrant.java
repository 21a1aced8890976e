package dev.switchboard.auth;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What one participant may do, and who it is: read from a verified access token, or, in open mode,
 * taken from join params as given (then {@code verified} is false). See docs/protocol.md §4 and §5.
 *
 * @param identity  who the participant is (the token's {@code sub}); 1-128 characters
 * @param name      display name, at most 64 characters; empty when none was given
 * @param metadata  a JSON object of at most 1 KiB encoded, shown to the others; empty when none
 * @param verified  true when the identity comes from a signed token
 * @param room      the one room id the grant covers, or {@code "*"} for every room
 * @param expiresAt the token's {@code exp}, seconds since the epoch; {@link Long#MAX_VALUE} in open mode
 * @param notBefore the token's {@code nbf}, seconds since the epoch; 0 when the token has none
 */
public record AccessGrant(String identity, String name, JsonObject metadata, boolean verified, String room,
                          boolean join, boolean publish, boolean subscribe, boolean admin,
                          long expiresAt, long notBefore) {
  public static final String ANY_ROOM = "*";
  public static final int MAX_IDENTITY_CHARS = 128;
  public static final int MAX_NAME_CHARS = 64;
  public static final int MAX_METADATA_BYTES = 1024;
  /**
   * Clocks of the token issuer and of the nodes are never exactly equal; a token is still taken this long
   * after its {@code exp} (and this long before its {@code nbf}) so that a fresh token is not refused by a
   * node whose clock runs a little ahead. Kept small: it extends every token's life.
   */
  public static final long CLOCK_SKEW_SECONDS = 5;

  public AccessGrant {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(room, "room");
    name = name == null ? "" : name;
    // JsonObject is mutable: a copy, so that nobody can change a grant after it was checked
    metadata = metadata == null ? new JsonObject() : metadata.copy();
  }

  /** A copy: the grant itself stays as it was verified. */
  @Override
  public JsonObject metadata() {
    return metadata.copy();
  }

  /**
   * The open-mode grant of a client that sent no token: its join params taken as given but capped
   * (identity 128 and name 64 characters, metadata dropped when above 1 KiB), unverified, every room,
   * join, publish and subscribe, never admin, never expiring.
   */
  public static AccessGrant open(String identity, String name, JsonObject metadata) {
    JsonObject kept = metadata == null || encodedBytes(metadata) > MAX_METADATA_BYTES ? new JsonObject() : metadata;
    return new AccessGrant(cap(identity == null ? "" : identity, MAX_IDENTITY_CHARS),
        cap(name == null ? "" : name, MAX_NAME_CHARS), kept, false, ANY_ROOM,
        true, true, true, false, Long.MAX_VALUE, 0);
  }

  /** Whether this grant lets its holder into {@code room}. */
  public boolean covers(String room) {
    return ANY_ROOM.equals(this.room) || this.room.equals(room);
  }

  /** Whether the grant is over at {@code nowEpochSeconds}, allowing {@link #CLOCK_SKEW_SECONDS}. */
  public boolean expiredAt(long nowEpochSeconds) {
    // written as a subtraction so that expiresAt = Long.MAX_VALUE (open mode) cannot overflow
    return nowEpochSeconds - CLOCK_SKEW_SECONDS >= expiresAt;
  }

  /**
   * The same participant: equal identities, both verified or both not. An unverified identity is only a
   * claim, so it is never the same as a verified one that happens to be spelled alike.
   */
  public boolean sameIdentity(AccessGrant other) {
    return other != null && verified == other.verified && identity.equals(other.identity);
  }

  /** As handed over with a resumed session to another node (already verified: never re-checked). */
  public JsonObject toJson() {
    return new JsonObject().put("identity", identity).put("name", name).put("metadata", metadata.copy())
        .put("verified", verified).put("room", room).put("join", join).put("publish", publish)
        .put("subscribe", subscribe).put("admin", admin).put("exp", expiresAt).put("nbf", notBefore);
  }

  public static AccessGrant fromJson(JsonObject json) {
    return new AccessGrant(json.getString("identity"), json.getString("name"), json.getJsonObject("metadata"),
        json.getBoolean("verified", false), json.getString("room"), json.getBoolean("join", false),
        json.getBoolean("publish", false), json.getBoolean("subscribe", false), json.getBoolean("admin", false),
        json.getLong("exp", 0L), json.getLong("nbf", 0L));
  }

  static int encodedBytes(JsonObject json) {
    return json.encode().getBytes(StandardCharsets.UTF_8).length;
  }

  /** At most {@code max} characters (code points, so that a surrogate pair is never split). */
  static String cap(String s, int max) {
    if (s.codePointCount(0, s.length()) <= max) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, max));
  }

  static int length(String s) {
    return s.codePointCount(0, s.length());
  }
}
